// The HTTP client against peers that misbehave at the socket level: one total deadline covers
// connect, TLS handshake, headers and body (issue 23), a canceller cuts a request short from
// another thread, and what a peer echoes back never carries the request's credentials.
#include "agent/http/http_client.h"

#include <gtest/gtest.h>

#include <thread>

#include "tests/support/eventually.h"
#include "tests/support/http_test_server.h"
#include "tests/support/trickling_peer.h"

namespace cdcwatch {
namespace {

using namespace std::chrono_literals;
using testing::TricklingPeer;

const std::string kManyBytes(120, 'a');

TEST(HttpClientDeadline, StatusLineThenOneBytePerSecondTimesOutAtTheDeadline) {
  TricklingPeer peer("HTTP/1.1 200 OK\r\n", "X-Slow: " + kManyBytes);
  HttpResponse response = send_http({.url = peer.url(), .timeout = 1500ms});
  EXPECT_TRUE(response.timed_out) << response.error;
  EXPECT_EQ(response.error, "timeout after 1500ms");
  EXPECT_EQ(response.status, 0);
  EXPECT_LT(peer.trickled(), kManyBytes.size()) << "returned while the peer was still sending";
}

TEST(HttpClientDeadline, PeerThatNeverAnswersTimesOut) {
  TricklingPeer peer("", "");
  HttpResponse response = send_http({.url = peer.url(), .timeout = 500ms});
  EXPECT_TRUE(peer.accepted());
  EXPECT_TRUE(response.timed_out) << response.error;
  EXPECT_FALSE(response.transport_ok());
}

TEST(HttpClientDeadline, TrickledBodyTimesOutAndIsNotMistakenForAShortAnswer) {
  TricklingPeer peer("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n", kManyBytes,
                     200ms);
  HttpResponse response = send_http({.url = peer.url(), .timeout = 1s});
  EXPECT_TRUE(response.timed_out) << response.error;
  EXPECT_FALSE(response.success()) << "a body cut at the deadline is not an answer";
  EXPECT_LT(peer.trickled(), kManyBytes.size());
}

TEST(HttpClientDeadline, TlsHandshakeThatNeverCompletesTimesOut) {
  TricklingPeer peer("", "");
  HttpResponse response = send_http({.url = peer.url("https"), .timeout = 500ms});
  EXPECT_TRUE(peer.accepted());
  EXPECT_TRUE(response.timed_out) << response.error;
}

TEST(HttpClientCancel, CancelFromAnotherThreadEndsARequestLongBeforeItsDeadline) {
  TricklingPeer peer("HTTP/1.1 200 OK\r\n", "X-Slow: " + kManyBytes);
  HttpCanceller canceller;
  HttpResponse response;
  std::thread request(
      [&] { response = send_http({.url = peer.url(), .timeout = 600s, .canceller = &canceller}); });
  ASSERT_TRUE(testing::eventually([&] { return peer.trickled() > 0; }));
  canceller.cancel();
  request.join();  // with a 600 s deadline, only the cancel can end it while the peer trickles
  EXPECT_EQ(response.error, "cancelled");
  EXPECT_FALSE(response.timed_out);
  EXPECT_LT(peer.trickled(), kManyBytes.size());
}

TEST(HttpClientCancel, ACancelledCancellerRefusesLaterRequestsWithoutConnecting) {
  TricklingPeer peer("", "");
  HttpCanceller canceller;
  canceller.cancel();
  HttpResponse response = send_http({.url = peer.url(), .timeout = 600s, .canceller = &canceller});
  EXPECT_EQ(response.error, "cancelled");
  EXPECT_FALSE(peer.accepted());
}

// The peer echoes the request's headers into its error body, as some proxies and debug endpoints
// do.
TEST(HttpClientRedaction, EchoedCredentialsNeverReachTheBodyOrHeaders) {
  testing::HttpTestServer server;
  server.on("GET", "/.*", [](const testing::RecordedRequest& r) {
    std::string echoed;
    for (const auto& [name, value] : r.headers) echoed += name + ": " + value + "\n";
    return testing::TestReply{401,
                              "unauthorized; you sent:\n" + echoed,
                              "text/plain",
                              {{"X-Echo", r.header("authorization")}}};
  });
  server.start();
  HttpResponse basic =
      send_http({.url = server.url() + "/x", .basic_auth = {{"svc", "B4sicPassw0rd!"}}});
  ASSERT_EQ(basic.status, 401);
  EXPECT_NE(basic.body.find("<redacted>"), std::string::npos) << basic.body;
  EXPECT_EQ(basic.body.find("B4sicPassw0rd!"), std::string::npos) << basic.body;
  EXPECT_EQ(basic.body.find("c3ZjOkI0c2ljUGFzc3cwcmQh"), std::string::npos)  // base64 svc:pass
      << basic.body;
  EXPECT_EQ(basic.header("x-echo"), "Basic <redacted>");

  HttpResponse bearer =
      send_http({.url = server.url() + "/x",
                 .headers = {{"Authorization", "Bearer eyJhbGciOiJSUzI1NiJ9.x.y"},
                             {"X-Snowflake-Authorization-Token-Type", "KEYPAIR_JWT"}}});
  EXPECT_EQ(bearer.body.find("eyJhbGciOiJSUzI1NiJ9.x.y"), std::string::npos) << bearer.body;
  EXPECT_NE(bearer.body.find("KEYPAIR_JWT"), std::string::npos) << "not a credential";
}

TEST(HttpClientRedaction, JsonAndPercentEncodedEchoesAreRedactedToo) {
  testing::HttpTestServer server;
  server.on("POST", "/.*", [](const testing::RecordedRequest&) {
    return testing::TestReply{400,
                              R"({"message":"bad token a\"b\\c/d e","raw":"a%22b%5Cc%2Fd%20e"})"};
  });
  server.start();
  HttpResponse response = send_http(
      {.method = "POST", .url = server.url() + "/x", .headers = {{"X-Api-Token", "a\"b\\c/d e"}}});
  EXPECT_EQ(response.body, R"({"message":"bad token <redacted>","raw":"<redacted>"})");
}

}  // namespace
}  // namespace cdcwatch
