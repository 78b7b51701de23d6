// The lag probe's /metrics exposition, linted by Prometheus's own `promtool check metrics` (built
// only where the Debian `prometheus` package provides promtool; scripts/setup installs it).
#include <gtest/gtest.h>

#include "agent/core/exposition.h"
#include "agent/core/readings_store.h"
#include "probes/kafka_lag/kafka_lag_probe.h"
#include "tests/support/child_process.h"
#include "tests/support/kafka_mock_cluster.h"

namespace cdcwatch {
namespace {

using namespace std::chrono_literals;

testing::RunResult promtool_check(const testing::TempDir& dir, const std::string& text) {
  std::string path = dir.write("metrics.prom", text);
  return testing::run_process(
      {"/bin/sh", "-c", std::string(PROMTOOL_PATH) + " check metrics < " + path});
}

TEST(LagExposition, PromtoolAcceptsEveryFamilyAndTheDeprecatedSeriesKeepsItsName) {
  testing::KafkaMockCluster kafka{1};
  kafka.create_topic("t", 2);
  for (int i = 0; i < 3; ++i) kafka.produce("t", 0, "k", "v");
  kafka.commit("connect-snowflake-sink", "t", 0, 1);
  KafkaClusterConfig config;
  config.name = "msk";
  config.bootstrap_servers = kafka.bootstrap();
  config.consumer_groups = {"connect-snowflake-sink"};
  config.topics = {"t"};
  KafkaLagProbe probe(config, Millis(15000));
  FakeClock clock{TimePoint(std::chrono::seconds(1'800'000'000))};
  ReadingsStore store;
  auto outcome = probe.collect({clock.now() + 10s, clock, store});
  ASSERT_TRUE(outcome.ok()) << outcome.error_message;
  std::string text = render_prometheus_text(outcome.readings);
  ASSERT_NE(text.find("cdcwatch_kafka_consumer_group_committed_offsets{"), std::string::npos);
  ASSERT_NE(text.find("cdcwatch_kafka_consumer_lag_seconds_unknown_partitions{"),
            std::string::npos);

  // The old series name, as queries of it know it, now in a summary family (a gauge may not
  // end in _sum).
  EXPECT_NE(text.find("# TYPE cdcwatch_kafka_consumer_group_committed_offset summary"),
            std::string::npos);
  EXPECT_NE(text.find("cdcwatch_kafka_consumer_group_committed_offset_sum{kafka=\"msk\","
                      "group=\"connect-snowflake-sink\"} 1\n"),
            std::string::npos)
      << text;

  testing::TempDir dir;
  auto checked = promtool_check(dir, text);
  EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err;
}

}  // namespace
}  // namespace cdcwatch
