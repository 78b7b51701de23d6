// The real agent's HTTP as a process: against peers that misbehave (issue 23), a Kafka Connect
// worker that sends `HTTP/1.1 200 OK\r\n` and then a byte a second is reported as a timeout at
// request_timeout and does not hold SIGTERM, and one that echoes the request leaks no credential
// into /status or logs; and two agents on one address (issue 22): the second exits 3 naming it.
#include <gtest/gtest.h>
#include <signal.h>

#include <regex>

#include "agent/http/http_client.h"
#include "tests/support/child_process.h"
#include "tests/support/eventually.h"
#include "tests/support/http_test_server.h"
#include "tests/support/trickling_peer.h"

namespace cdcwatch {
namespace {

using namespace std::chrono_literals;
using testing::ChildProcess;
using testing::TempDir;

const std::string kBinary = CDCWATCH_BINARY;

// Waits for a started `cdcwatch run` to listen and returns its base URL ("" if it did not).
std::string start_agent(ChildProcess& child) {
  if (!child.wait_for_err("listening on port", 10s)) return "";
  std::smatch match;
  std::string log = child.err();
  if (!std::regex_search(log, match, std::regex("listening on port ([0-9]+)"))) return "";
  return "http://127.0.0.1:" + match[1].str();
}

std::string config(const TempDir& dir, const std::string& connect_entry) {
  return dir.write("c.yml", "agent:\n  state_dir: " + dir.path() +
                                "\n  listen: 127.0.0.1:0\nconnect:\n  - name: slow\n" +
                                connect_entry);
}

TEST(SlowPeer, ATricklingConnectWorkerTimesOutAtRequestTimeoutAndSigtermStillExits) {
  testing::TricklingPeer worker("HTTP/1.1 200 OK\r\n", std::string(600, 'x'));
  TempDir dir;
  ChildProcess child(
      {kBinary, "run", "--config",
       config(dir, "    url: " + worker.url() + "\n    request_timeout: 1s\n    interval: 2s\n")});
  std::string base = start_agent(child);
  ASSERT_FALSE(base.empty()) << child.err();
  std::string status;
  EXPECT_TRUE(testing::eventually([&] {
    status = send_http({.url = base + "/status"}).body;
    return status.find("connect slow: GET /connectors: timeout after 1s") != std::string::npos;
  })) << status;
  std::string metrics = send_http({.url = base + "/metrics"}).body;
  EXPECT_NE(metrics.find("cdcwatch_probe_errors_total{probe=\"connect/slow\",reason=\"timeout\"} "),
            std::string::npos)
      << "a worker that runs out the clock is a timeout, not a refused connection: " << metrics;
  EXPECT_EQ(metrics.find("cdcwatch_probe_errors_total{probe=\"connect/slow\",reason=\"connect\"}"),
            std::string::npos)
      << metrics;
  EXPECT_TRUE(testing::eventually([&] { return worker.connections() >= 2; }))
      << "the next cycle asks again: the probe was not stuck on the first request";
  child.signal(SIGTERM);
  EXPECT_EQ(child.wait(5s), 0) << child.err();
}

TEST(EchoingPeer, CredentialsEchoedByAConnectWorkerReachNeitherStatusNorLogs) {
  testing::HttpTestServer worker;
  worker.on("GET", "/.*", [](const testing::RecordedRequest& r) {
    return testing::TestReply{401, R"({"error_code":401,"message":"bad credentials: )" +
                                       r.header("authorization") + R"("})"};
  });
  worker.start();
  TempDir dir;
  ChildProcess child({kBinary, "run", "--config",
                      config(dir, "    url: " + worker.url() +
                                      "\n    username: cdcwatch\n    password: "
                                      "\"${env:CDCWATCH_TEST_CONNECT_PW}\"\n    interval: 1s\n")},
                     {"CDCWATCH_TEST_CONNECT_PW=Ech0edPassw0rd"});
  std::string base = start_agent(child);
  ASSERT_FALSE(base.empty()) << child.err();
  std::string status;
  ASSERT_TRUE(testing::eventually([&] {
    status = send_http({.url = base + "/status"}).body;
    return status.find("bad credentials") != std::string::npos;
  })) << status;
  child.signal(SIGTERM);
  child.wait(5s);
  // base64("cdcwatch:Ech0edPassw0rd"), the form the Authorization header carries.
  for (const std::string leaked : {"Y2Rjd2F0Y2g6RWNoMGVkUGFzc3cwcmQ=", "Ech0edPassw0rd"}) {
    EXPECT_EQ(status.find(leaked), std::string::npos) << status;
    EXPECT_EQ(child.err().find(leaked), std::string::npos) << child.err();
  }
}

TEST(ExclusiveListen, ASecondAgentOnTheSameAddressExitsThreeNamingIt) {
  TempDir dir;
  std::string first_config =
      dir.write("a.yml", "agent:\n  state_dir: " + dir.path() + "/a\n  listen: 127.0.0.1:0\n");
  ChildProcess first({kBinary, "run", "--config", first_config});
  std::string base = start_agent(first);
  ASSERT_FALSE(base.empty()) << first.err();
  std::string address = base.substr(std::string("http://").size());

  std::string second_config =
      dir.write("b.yml", "agent:\n  state_dir: " + dir.path() + "/b\n  listen: " + address + "\n");
  auto second = testing::run_process({kBinary, "run", "--config", second_config}, {}, 10s);
  EXPECT_EQ(second.exit_code, 3) << second.err;
  EXPECT_NE(second.err.find("cannot listen on " + address), std::string::npos) << second.err;
  EXPECT_NE(second.err.find("already in use"), std::string::npos) << second.err;

  EXPECT_EQ(send_http({.url = base + "/healthz"}).body, "ok\n") << "the first serves alone";
  first.signal(SIGTERM);
  EXPECT_EQ(first.wait(5s), 0) << first.err();
}

}  // namespace
}  // namespace cdcwatch
