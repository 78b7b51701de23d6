// The real cdcwatch binary as a process: command line, exit codes, signals, endpoint security.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <thread>

#include "agent/http/http_client.h"
#include "tests/support/child_process.h"
#include "tests/support/eventually.h"

namespace cdcwatch {
namespace {

using testing::ChildProcess;
using testing::run_process;
using testing::TempDir;
using namespace std::chrono_literals;

const std::string kBinary = CDCWATCH_BINARY;

// A config with no probes: the agent's state in `dir`, any free port, plus `agent_keys` (YAML lines
// indented under agent:).
std::string minimal_config(TempDir& dir, const std::string& agent_keys = "") {
  return dir.write("c.yml",
                   "agent:\n  state_dir: " + dir.path() + "\n  listen: 127.0.0.1:0\n" + agent_keys);
}

// Starts `cdcwatch run` and returns the port it logged.
int start_and_get_port(ChildProcess& child) {
  EXPECT_TRUE(child.wait_for_err("listening on port", 10s)) << child.err();
  std::smatch match;
  std::string err = child.err();
  if (!std::regex_search(err, match, std::regex("listening on port ([0-9]+)"))) return -1;
  return std::stoi(match[1]);
}

TEST(CommandLine, VersionHelpAndUsageErrors) {
  auto version = run_process({kBinary, "--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.out.find("cdcwatch "), std::string::npos);
  EXPECT_EQ(run_process({kBinary, "--help"}).exit_code, 0);
  auto none = run_process({kBinary});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("Usage"), std::string::npos);
  EXPECT_EQ(run_process({kBinary, "frobnicate"}).exit_code, 2);
}

TEST(CheckConfig, PrintsEffectiveConfigWithSecretsRedacted) {
  TempDir dir;
  std::string secrets =
      dir.write("db.properties", "# comment\nuser = cdcwatch\npassword=Sup3rS3cretPw\n");
  std::string config = dir.write("c.yml", "agent:\n  state_dir: " + dir.path() + R"(
  listen: 127.0.0.1:0
  auth: { username: prom, password: "${env:CDCWATCH_TEST_PW}" }
postgres:
  - name: orders
    dsn: "host=127.0.0.1 port=1 password=${file:)" +
                                              secrets + R"(:password}"
)");
  auto result = run_process({kBinary, "check-config", config}, {"CDCWATCH_TEST_PW=An0therS3cret"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("password=<redacted>"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("interval: 15s"), std::string::npos) << "defaults shown";
  for (const auto* secret : {"Sup3rS3cretPw", "An0therS3cret"}) {
    EXPECT_EQ(result.out.find(secret), std::string::npos);
    EXPECT_EQ(result.err.find(secret), std::string::npos);
  }
}

TEST(CheckConfig, ErrorsNameTheLineTheKeyAndTheFix) {
  TempDir dir;
  struct Case {
    std::string yaml, expected;
  } cases[] = {
      {"agent:\n  intervall: 5s\n",
       ":2:3 (agent.intervall): unknown key 'intervall', did you mean 'interval'?"},
      {"agent:\n  interval: 5 seconds\n",
       ":2:13 (agent.interval): expected a duration such as 500ms, 15s, 5m or 1h, got '5 seconds'"},
      {"postgres:\n  - name: a\n    dsn: \"password=${env:CDCWATCH_UNSET_VAR}\"\n",
       "secret reference ${env:CDCWATCH_UNSET_VAR}: environment variable CDCWATCH_UNSET_VAR is not "
       "set"},
      {"postgres:\n  - name: a\n    dsn: \"password=${file:/nonexistent/x.properties:pw}\"\n",
       "cannot read file /nonexistent/x.properties"},
      {"postgres:\n  - name: a\n    dsn: x\n  - name: a\n    dsn: y\n", "duplicate name 'a'"},
      {"agent: [1, 2\n", "YAML syntax error"},
  };
  for (const auto& c : cases) {
    std::string config = dir.write("bad.yml", c.yaml);
    auto result = run_process({kBinary, "check-config", config});
    EXPECT_EQ(result.exit_code, 1) << c.yaml;
    EXPECT_NE(result.err.find(c.expected), std::string::npos) << result.err;
  }
}

TEST(Run, ServesEndpointsAndStopsCleanlyOnSigterm) {
  TempDir dir;
  ChildProcess child({kBinary, "run", "--config", minimal_config(dir)});
  int port = start_and_get_port(child);
  ASSERT_GT(port, 0);
  std::string base = "http://127.0.0.1:" + std::to_string(port);
  EXPECT_EQ(send_http({.url = base + "/healthz"}).body, "ok\n");
  EXPECT_EQ(send_http({.url = base + "/readyz"}).status, 200);
  HttpResponse metrics = send_http({.url = base + "/metrics"});
  EXPECT_NE(metrics.body.find("cdcwatch_build_info{version=\""), std::string::npos);
  auto status = nlohmann::json::parse(send_http({.url = base + "/status"}).body);
  EXPECT_EQ(status["ready"], true);
  EXPECT_EQ(send_http({.method = "POST", .url = base + "/metrics"}).status / 100, 4)
      << "no endpoint accepts writes";
  child.signal(SIGTERM);
  EXPECT_EQ(child.wait(5s), 0) << child.err();
}

TEST(Run, OversizedRequestsAreRefusedAndTheEndpointsStayUp) {
  TempDir dir;
  ChildProcess child({kBinary, "run", "--config", minimal_config(dir)});
  int port = start_and_get_port(child);
  ASSERT_GT(port, 0);
  std::string base = "http://127.0.0.1:" + std::to_string(port);
  HttpResponse huge =
      send_http({.method = "POST", .url = base + "/status", .body = std::string(4 << 20, 'x')});
  EXPECT_TRUE(!huge.transport_ok() || huge.status == 413 || huge.status / 100 == 4)
      << "a 4 MB body is refused, got " << huge.status << " " << huge.error;
  HttpResponse long_header =
      send_http({.url = base + "/metrics", .headers = {{"X-Filler", std::string(64 << 10, 'y')}}});
  EXPECT_NE(long_header.status, 200) << "a 64 KB header is not served";
  EXPECT_EQ(send_http({.url = base + "/healthz"}).body, "ok\n") << "still serving";
  child.signal(SIGTERM);
  EXPECT_EQ(child.wait(5s), 0) << child.err();
}

TEST(Run, ManyIdleConnectionsDoNotGrowTheAgentBeyondItsConnectionLimit) {
  TempDir dir;
  ChildProcess child({kBinary, "run", "--config", minimal_config(dir, "  max_connections: 4\n")});
  int port = start_and_get_port(child);
  ASSERT_GT(port, 0);
  auto threads = [&] {
    int count = 0;
    for (const auto& entry :
         std::filesystem::directory_iterator("/proc/" + std::to_string(child.pid()) + "/task")) {
      (void)entry;
      ++count;
    }
    return count;
  };
  int before = threads();
  std::vector<int> sockets;
  for (int i = 0; i < 50; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    sockets.push_back(fd);  // connected, and never says anything
  }
  std::this_thread::sleep_for(500ms);
  EXPECT_LE(threads(), before) << "a thread per connection would be a denial of service";
  for (int fd : sockets) close(fd);
  std::string base = "http://127.0.0.1:" + std::to_string(port);
  EXPECT_TRUE(testing::eventually(
      [&] { return send_http({.url = base + "/healthz"}).body == "ok\n"; }, 30s));
  child.signal(SIGTERM);
  EXPECT_EQ(child.wait(10s), 0) << child.err();
}

TEST(Run, SighupReloadsAGoodConfigAndKeepsTheOldOneOnErrors) {
  TempDir dir;
  ChildProcess child({kBinary, "run", "--config", minimal_config(dir)});
  int port = start_and_get_port(child);
  ASSERT_GT(port, 0);
  std::string base = "http://127.0.0.1:" + std::to_string(port);

  // Port 0 would move on reload, so pin the port the first start picked.
  dir.write("c.yml", "agent:\n  state_dir: " + dir.path() +
                         "\n  listen: 127.0.0.1:" + std::to_string(port) + "\n  intervall: 1s\n");
  child.signal(SIGHUP);
  ASSERT_TRUE(child.wait_for_err("new config rejected", 5s)) << child.err();
  EXPECT_NE(child.err().find("did you mean 'interval'"), std::string::npos);
  EXPECT_EQ(send_http({.url = base + "/healthz"}).status, 200) << "old config keeps running";

  std::string before =
      nlohmann::json::parse(send_http({.url = base + "/status"}).body)["started_at"];
  dir.write("c.yml", "agent:\n  state_dir: " + dir.path() +
                         "\n  listen: 127.0.0.1:" + std::to_string(port) + "\n  interval: 2s\n");
  child.signal(SIGHUP);
  ASSERT_TRUE(child.wait_for_err("config reloaded", 5s)) << child.err();
  auto status = nlohmann::json::parse(send_http({.url = base + "/status"}).body);
  EXPECT_EQ(status["started_at"], before) << "reloaded in place, not restarted (#15)";
  EXPECT_EQ(send_http({.url = base + "/healthz"}).status, 200);
  child.signal(SIGINT);
  EXPECT_EQ(child.wait(5s), 0);
}

// #23: a notifier endpoint that accepts and never answers held SIGTERM for a minute. The socket
// listens but never accepts: the kernel completes the handshake, the request is sent, and no
// answer ever comes.
TEST(Run, SigtermExitsInTimeWhileAPageIsStuckInDelivery) {
  int silent = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(silent, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t length = sizeof address;
  ::getsockname(silent, reinterpret_cast<sockaddr*>(&address), &length);
  ASSERT_EQ(::listen(silent, 8), 0);
  TempDir dir;
  std::string config = minimal_config(
      dir,
      "postgres:\n  - { name: down, dsn: 'host=127.0.0.1 port=1', interval: 200ms }\n"
      "alerts:\n  rules:\n    - { alert: SourceDown, metric: cdcwatch_pg_up, below: 1, "
      "for: 0s, severity: critical, stage: source, summary: down, runbook: runbooks/x.md }\n"
      "notifiers:\n  webhooks:\n    - { url: 'http://127.0.0.1:" +
          std::to_string(ntohs(address.sin_port)) + "/hook', timeout: 30s }\n");
  ChildProcess child({kBinary, "run", "--config", config});
  ASSERT_GT(start_and_get_port(child), 0);
  pollfd pending{silent, POLLIN, 0};
  ASSERT_EQ(::poll(&pending, 1, 20000), 1) << "the page's delivery connected";
  child.signal(SIGTERM);
  EXPECT_EQ(child.wait(10s), 0) << child.err();
  ::close(silent);
}

TEST(Run, JsonLogsAreOneObjectPerLineAndLogStateChangesOnce) {
  TempDir dir;
  std::string config =
      dir.write("c.yml", "agent:\n  state_dir: " + dir.path() +
                             "\n  listen: 127.0.0.1:0\n  interval: 100ms\n"
                             "  log_format: json\npostgres:\n  - name: down\n"
                             "    dsn: \"host=127.0.0.1 port=1 connect_timeout=1\"\n");
  ChildProcess child({kBinary, "run", "--config", config});
  ASSERT_GT(start_and_get_port(child), 0);
  ASSERT_TRUE(child.wait_for_err("is down", 10s));
  std::this_thread::sleep_for(1s);  // several more failing cycles
  child.signal(SIGTERM);
  EXPECT_EQ(child.wait(5s), 0);
  std::istringstream lines(child.err());
  int down_lines = 0;
  for (std::string line; std::getline(lines, line);) {
    auto entry = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(entry.is_discarded()) << line;
    EXPECT_TRUE(entry.contains("time") && entry.contains("level") && entry.contains("msg")) << line;
    if (entry["msg"].get<std::string>().find("is down") != std::string::npos) ++down_lines;
  }
  EXPECT_EQ(down_lines, 1)
      << "a failing dependency is logged when it changes state, not every cycle";
}

TEST(Run, BasicAuthGuardsEverythingButLiveness) {
  TempDir dir;
  std::string config = dir.write("c.yml", "agent:\n  state_dir: " + dir.path() + R"(
  listen: 127.0.0.1:0
  auth: { username: prom, password: "${env:CDCWATCH_TEST_PW}" }
)");
  ChildProcess child({kBinary, "run", "--config", config}, {"CDCWATCH_TEST_PW=Scr4pePassw0rd"});
  int port = start_and_get_port(child);
  std::string base = "http://127.0.0.1:" + std::to_string(port);
  EXPECT_EQ(send_http({.url = base + "/metrics"}).status, 401);
  EXPECT_EQ(send_http({.url = base + "/status"}).status, 401);
  EXPECT_EQ(send_http({.url = base + "/metrics", .basic_auth = {{"prom", "wrong"}}}).status, 401);
  EXPECT_EQ(
      send_http({.url = base + "/metrics", .basic_auth = {{"prom", "Scr4pePassw0rd"}}}).status,
      200);
  EXPECT_EQ(send_http({.url = base + "/healthz"}).status, 200);
  child.signal(SIGTERM);
  child.wait(5s);
  EXPECT_EQ(child.err().find("Scr4pePassw0rd"), std::string::npos);
}

TEST(Run, BearerTokenAndTls) {
  TempDir dir;
  std::string cert = dir.file("cert.pem"), key = dir.file("key.pem");
  std::string openssl =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
      "-addext subjectAltName=IP:127.0.0.1 -keyout " +
      key + " -out " + cert + " 2>/dev/null";
  ASSERT_EQ(std::system(openssl.c_str()), 0);
  chmod(key.c_str(), 0644);
  std::string config = dir.write(
      "c.yml", "agent:\n  state_dir: " + dir.path() +
                   "\n  listen: 127.0.0.1:0\n  tls: { cert_file: " + cert + ", key_file: " + key +
                   " }\n  auth: { bearer_token: T0kenValue123 }\n");
  auto refused = run_process({kBinary, "check-config", config});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("chmod 600"), std::string::npos) << refused.err;

  chmod(key.c_str(), 0600);
  ChildProcess child({kBinary, "run", "--config", config});
  int port = start_and_get_port(child);
  std::string base = "https://127.0.0.1:" + std::to_string(port);
  HttpRequest request{.url = base + "/metrics", .ca_file = cert};
  EXPECT_EQ(send_http(request).status, 401);
  request.headers = {{"Authorization", "Bearer T0kenValue123"}};
  HttpResponse ok = send_http(request);
  EXPECT_EQ(ok.status, 200) << ok.error;
  EXPECT_FALSE(
      send_http({.url = "http://127.0.0.1:" + std::to_string(port) + "/healthz"}).success())
      << "plain HTTP is not served when TLS is on";
  child.signal(SIGTERM);
  EXPECT_EQ(child.wait(5s), 0);
}

}  // namespace
}  // namespace cdcwatch
