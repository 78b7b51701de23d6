// The real agent, a real PostgreSQL slot and a local PagerDuty: the page survives SIGKILL while
// PagerDuty is down and arrives exactly once after the restart; then it resolves.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <thread>

#include "tests/support/child_process.h"
#include "tests/support/eventually.h"
#include "tests/support/pagerduty_server.h"
#include "tests/support/postgres_server.h"

namespace cdcwatch {
namespace {

using namespace std::chrono_literals;
using testing::ChildProcess;

const std::string kRoutingKey = "PR0CESSTESTKEY0123456789abcdef01";

using testing::eventually;

size_t files_in(const std::string& dir) {
  std::error_code ignored;
  size_t n = 0;
  for (auto it = std::filesystem::directory_iterator(dir, ignored);
       it != std::filesystem::directory_iterator(); ++it) {
    if (it->path().extension() == ".json") ++n;
  }
  return n;
}

TEST(AlertingProcess, PageSurvivesSigkillDuringOutageAndIsDeliveredOnceThenResolves) {
  testing::PostgresServer pg;
  pg.exec("SELECT pg_create_logical_replication_slot('debezium_slot', 'pgoutput')");
  testing::PagerDutyServer pagerduty;
  pagerduty.start();
  pagerduty.fail_next(503, 100000);
  testing::TempDir dir;
  std::string config = dir.write("c.yml", "agent:\n  state_dir: " + dir.path() + R"(/state
  listen: 127.0.0.1:0
  interval: 200ms
  runbook_base_url: https://runbooks.example/
postgres:
  - name: orders
    dsn: ")" + pg.dsn() + R"("
alerts:
  min_time_before_resolve: 0s
  missing_data_hold: 1s
  rules:
    - alert: TestSlotHasNoConsumer
      metric: cdcwatch_pg_slot_active
      equals: 0
      severity: critical
      stage: source
      summary: "Slot {{slot}} on {{source}} has no consumer"
      runbook: runbooks/slot-inactive.md
notifiers:
  pagerduty:
    routing_key: ${env:CDCWATCH_TEST_PD_KEY}
    url: )" + pagerduty.url() + "\n  retry_max_delay: 1s\n");
  std::vector<std::string> env = {"CDCWATCH_TEST_PD_KEY=" + kRoutingKey};
  std::string outbox = dir.path() + "/state/outbox/pagerduty";
  {
    ChildProcess agent({CDCWATCH_BINARY, "run", "--config", config}, env);
    ASSERT_TRUE(eventually([&] { return pagerduty.answered_count(503) >= 1; })) << agent.err();
    EXPECT_EQ(files_in(outbox), 1u) << "the trigger waits on disk";
    agent.signal(SIGKILL);
    agent.wait(5s);
    EXPECT_EQ(agent.err().find(kRoutingKey), std::string::npos) << "no secret in logs";
  }
  EXPECT_EQ(pagerduty.accepted().size(), 0u);
  pagerduty.clear_scripted();

  ChildProcess agent({CDCWATCH_BINARY, "run", "--config", config}, env);
  ASSERT_TRUE(eventually([&] { return pagerduty.accepted().size() >= 1; })) << agent.err();
  ASSERT_TRUE(agent.wait_for_err("restored 1 firing alerts", 1s)) << agent.err();
  ASSERT_TRUE(eventually([&] { return files_in(outbox) == 0; }));
  std::this_thread::sleep_for(1s);  // several more evaluations: none may page again
  ASSERT_EQ(pagerduty.accepted().size(), 1u) << agent.err();
  EXPECT_EQ(pagerduty.accepted()[0]["payload"]["summary"],
            "Slot debezium_slot on orders has no consumer");
  EXPECT_EQ(pagerduty.incidents().at(0).triggers, 1);

  pg.exec("SELECT pg_drop_replication_slot('debezium_slot')");
  ASSERT_TRUE(eventually([&] { return pagerduty.accepted().size() == 2; })) << agent.err();
  EXPECT_EQ(pagerduty.accepted()[1]["event_action"], "resolve");
  EXPECT_FALSE(pagerduty.incidents().at(0).open);
  agent.signal(SIGTERM);
  EXPECT_EQ(agent.wait(6s), 0);
  EXPECT_EQ(agent.err().find(kRoutingKey), std::string::npos);
}

}  // namespace
}  // namespace cdcwatch
