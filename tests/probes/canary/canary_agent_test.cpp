// A whole agent running a canary: the writer on a real PostgreSQL, and a Postgres-protocol
// "warehouse" that is the source table itself (a pipeline with no delay), exported on /metrics.
#include <gtest/gtest.h>

#include <thread>

#include "agent/app/agent.h"
#include "agent/app/config.h"
#include "tests/support/agent_metrics.h"
#include "tests/support/child_process.h"
#include "tests/support/eventually.h"
#include "tests/support/postgres_server.h"

namespace cdcwatch {
namespace {

using namespace std::chrono_literals;

TEST(CanaryAgent, TheWriterAndTheWarehouseStageReachMetricsAndStatus) {
  testing::PostgresServer pg;
  testing::TempDir state;
  Config config =
      parse_config(ConfigNode::load_string("agent:\n  state_dir: " + state.path() +
                                               "\n  listen: 127.0.0.1:0\n  interval: 1s\n"
                                               "postgres:\n  - name: orders\n    dsn: \"" +
                                               pg.dsn() +
                                               "\"\n"
                                               "canaries:\n  - name: orders\n    postgres: "
                                               "orders\n    interval: 1s\n    create_table: true\n"
                                               "    agent_id: agent-1\n"
                                               "    warehouse:\n      postgres:\n        dsn: \"" +
                                               pg.dsn() +
                                               "\"\n        table: public.cdcwatch_canary\n"
                                               "      poll_interval: 1s\n",
                                           "test.yml"));
  SystemClock clock;
  Agent agent(config, clock);
  agent.start();
  std::string text = testing::metrics_containing(
      agent, "cdcwatch_canary_latency_seconds_count{canary=\"orders\",stage=\"warehouse\"} 1");
  nlohmann::json status = agent.status();
  agent.stop();
  EXPECT_NE(text.find("cdcwatch_probe_up{probe=\"canary/orders/writer\"} 1"), std::string::npos)
      << text.substr(0, 4000);
  EXPECT_NE(text.find("cdcwatch_probe_up{probe=\"canary/orders/warehouse\"} 1"), std::string::npos);
  EXPECT_NE(text.find("cdcwatch_canary_writes_total{canary=\"orders\",result=\"ok\"}"),
            std::string::npos);
  EXPECT_NE(text.find("cdcwatch_canary_freshness_seconds{canary=\"orders\",stage=\"warehouse\"}"),
            std::string::npos);
  EXPECT_NE(
      text.find("cdcwatch_canary_latency_seconds_count{canary=\"orders\",stage=\"warehouse\"} 1"),
      std::string::npos)
      << "a new row seen after start-up is an arrival";
  EXPECT_NE(text.find("cdcwatch_clock_skew_seconds{peer=\"postgres/orders\"}"), std::string::npos);
  EXPECT_EQ(pg.query_value("SELECT count(*) FROM public.cdcwatch_canary"), "1");
  EXPECT_NE(status.dump().find("canary/orders/writer"), std::string::npos);
}

}  // namespace
}  // namespace cdcwatch
