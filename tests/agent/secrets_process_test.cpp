// Planted secrets: every secret the config can hold is given a known value, every peer is
// unreachable or refuses so that errors are logged and retried, and then every output the agent
// produces (its logs, /status, /metrics, check-config) is searched for those values.
#include <gtest/gtest.h>
#include <signal.h>

#include <regex>

#include "agent/http/http_client.h"
#include "tests/support/child_process.h"
#include "tests/support/postgres_server.h"

namespace cdcwatch {
namespace {

using namespace std::chrono_literals;

TEST(Secrets, NoPlantedSecretAppearsInAnyOutput) {
  const std::vector<std::pair<std::string, std::string>> planted = {
      {"CDCWATCH_PLANT_PG", "pg-Pl4nted-7aa1"},
      {"CDCWATCH_PLANT_KAFKA", "kafka-Pl4nted-7aa2"},
      {"CDCWATCH_PLANT_CONNECT", "connect-Pl4nted-7aa3"},
      {"CDCWATCH_PLANT_PD", "pdkeyPl4nted00000000000000007aa4"},
      {"CDCWATCH_PLANT_HTTP", "http-Pl4nted-7aa5"},
      {"CDCWATCH_PLANT_WAREHOUSE", "wh-Pl4nted-7aa6"},
      {"CDCWATCH_PLANT_HOOK", "hook-Pl4nted-7aa7"}};
  std::vector<std::string> env;
  for (const auto& [name, value] : planted) env.push_back(name + "=" + value);
  testing::TempDir dir;
  std::string closed = std::to_string(testing::free_tcp_port());
  std::string config = dir.write(
      "c.yml", R"(agent:
  state_dir: )" + dir.path() +
                   R"(
  listen: 127.0.0.1:0
  interval: 1s
  auth: { username: prom, password: "${env:CDCWATCH_PLANT_HTTP}" }
postgres:
  - name: orders
    dsn: "host=127.0.0.1 port=)" +
                   closed + R"( user=cdcwatch password=${env:CDCWATCH_PLANT_PG} connect_timeout=1"
kafka:
  - name: msk
    bootstrap_servers: "127.0.0.1:)" +
                   closed + R"("
    request_timeout: 1s
    properties:
      security.protocol: SASL_PLAINTEXT
      sasl.mechanism: PLAIN
      sasl.username: cdcwatch
      sasl.password: ${env:CDCWATCH_PLANT_KAFKA}
connect:
  - name: connect
    url: http://127.0.0.1:)" +
                   closed + R"(
    username: monitor
    password: ${env:CDCWATCH_PLANT_CONNECT}
warehouses:
  - name: analytics
    postgres: { dsn: "postgresql://wh:${env:CDCWATCH_PLANT_WAREHOUSE}@127.0.0.1:)" +
                   closed + R"(/analytics" }
canaries:
  - name: orders
    postgres: orders
    warehouse: analytics
    warehouse_table: public.cdcwatch_canary
alerts:
  rules:
    - alert: CdcPostgresDown
      metric: cdcwatch_pg_up
      equals: 0
      for: 0s
      severity: critical
      stage: source
      summary: "cdcwatch cannot query PostgreSQL source {{source}}"
      runbook: runbooks/postgres-down.md
notifiers:
  pagerduty:
    routing_key: ${env:CDCWATCH_PLANT_PD}
    url: http://127.0.0.1:)" +
                   closed + R"(/v2/enqueue
  webhooks:
    - name: hook
      url: "http://user:${env:CDCWATCH_PLANT_HOOK}@127.0.0.1:)" +
                   closed + R"(/hook"
)");
  auto check = testing::run_process({CDCWATCH_BINARY, "check-config", config}, env);
  ASSERT_EQ(check.exit_code, 0) << check.err;

  testing::ChildProcess agent({CDCWATCH_BINARY, "run", "--config", config}, env);
  ASSERT_TRUE(agent.wait_for_err("listening on port", 10s)) << agent.err();
  std::smatch match;
  std::string log = agent.err();
  ASSERT_TRUE(std::regex_search(log, match, std::regex("listening on port ([0-9]+)")));
  std::string base = "http://127.0.0.1:" + match[1].str();
  // Let every probe fail a few times and the page be retried against the closed PagerDuty port.
  EXPECT_TRUE(agent.wait_for_err("CdcPostgresDown", 20s)) << agent.err();
  std::this_thread::sleep_for(3s);
  HttpRequest request{.url = base + "/status"};
  request.basic_auth = {"prom", "http-Pl4nted-7aa5"};
  std::string status = send_http(request).body;
  request.url = base + "/metrics";
  std::string metrics = send_http(request).body;
  agent.signal(SIGTERM);
  agent.wait(10s);

  ASSERT_NE(status.find("canary/orders/writer"), std::string::npos) << status.substr(0, 500);
  ASSERT_NE(status.find("error"), std::string::npos) << "the peers' failures are reported";
  // The outputs searched below did carry the failures that could have leaked a secret.
  for (const char* probe :
       {"pg_slots/orders", "kafka/msk", "connect/connect", "canary/orders/warehouse"}) {
    EXPECT_NE(agent.err().find(probe), std::string::npos) << probe << " failure not logged";
  }
  EXPECT_NE(agent.err().find("pagerduty"), std::string::npos) << "no delivery attempt logged";
  const std::vector<std::pair<std::string, std::string>> outputs = {
      {"check-config", check.out + check.err},
      {"log", agent.err() + agent.out()},
      {"/status", status},
      {"/metrics", metrics}};
  for (const auto& [where, text] : outputs) {
    for (const auto& [name, value] : planted) {
      EXPECT_EQ(text.find(value), std::string::npos) << name << " leaked into " << where;
    }
  }
}

}  // namespace
}  // namespace cdcwatch
