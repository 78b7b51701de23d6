// The HTTP client against peers that misbehave at the socket level: one total deadline covers
// connect, TLS handshake, headers and body (issue 23), a canceller cuts a request short from
// another thread, and what a peer echoes back never carries the request's credentials.
#include "agent/http/http_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "tests/support/eventually.h"
#include "tests/support/http_test_server.h"

namespace cdcwatch {
namespace {

using namespace std::chrono_literals;

// A TCP peer that accepts one connection, reads the request head, sends `prefix` and then one
// byte of `trickle` every `every` until stopped: the slow Connect worker or PagerDuty endpoint of
// issue 23. With an empty prefix and trickle it never answers.
class TricklingPeer {
 public:
  TricklingPeer(std::string prefix, std::string trickle, std::chrono::milliseconds every = 1s)
      : prefix_(std::move(prefix)), trickle_(std::move(trickle)), every_(every) {
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof addr;
    if (bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        listen(listener_, 8) != 0 ||
        getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &length) != 0) {
      throw std::runtime_error("TricklingPeer: cannot listen on 127.0.0.1");
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~TricklingPeer() {
    stopping_ = true;
    thread_.join();
    close(listener_);
  }
  std::string url(const std::string& scheme = "http") const {
    return scheme + "://127.0.0.1:" + std::to_string(port_) + "/";
  }
  bool accepted() const { return accepted_; }
  size_t trickled() const { return trickled_; }

 private:
  bool wait_readable(int fd) {
    pollfd entry{fd, POLLIN, 0};
    while (!stopping_) {
      if (poll(&entry, 1, 20) > 0) return true;
    }
    return false;
  }
  void serve() {
    if (!wait_readable(listener_)) return;
    int connection = accept(listener_, nullptr, nullptr);
    accepted_ = true;
    std::string head;
    char buffer[4096];
    while (head.find("\r\n\r\n") == std::string::npos && wait_readable(connection)) {
      ssize_t got = recv(connection, buffer, sizeof buffer, 0);
      if (got <= 0) break;
      head.append(buffer, static_cast<size_t>(got));
    }
    send(connection, prefix_.data(), prefix_.size(), MSG_NOSIGNAL);
    for (char byte : trickle_) {
      auto next = std::chrono::steady_clock::now() + every_;
      while (!stopping_ && std::chrono::steady_clock::now() < next)
        std::this_thread::sleep_for(5ms);
      if (stopping_ || send(connection, &byte, 1, MSG_NOSIGNAL) != 1) break;
      ++trickled_;
    }
    wait_readable(connection);
    close(connection);
  }

  std::string prefix_, trickle_;
  std::chrono::milliseconds every_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_ = false, accepted_ = false;
  std::atomic<size_t> trickled_ = 0;
  std::thread thread_;
};

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
