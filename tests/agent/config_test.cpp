// The config file as a whole: sections, cross-section names, and the effective config.
#include "agent/app/config.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "tests/agent/config_parsing.h"

namespace cdcwatch {
namespace {

using testing::error_of;
using testing::parse;

TEST(KafkaSection, ParsesEveryKeyAndRedactsSecretProperties) {
  setenv("CDCWATCH_TEST_KAFKA_PASSWORD", "kafka-secret-value", 1);
  Config config = parse(R"(
kafka:
  - name: msk
    bootstrap_servers: "b1:9092,b2:9092"
    properties:
      security.protocol: SASL_SSL
      sasl.password: ${env:CDCWATCH_TEST_KAFKA_PASSWORD}
    consumer_groups: [connect-snowflake-sink]
    topics: ["orders.public.*"]
    partition_metrics: false
    interval: 30s
    stop_after: 10m
)");
  ASSERT_EQ(config.kafka.size(), 1u);
  const KafkaClusterConfig& msk = *config.find_kafka("msk");
  EXPECT_EQ(msk.bootstrap_servers, "b1:9092,b2:9092");
  EXPECT_EQ(msk.properties.at(1).second.value, "kafka-secret-value");
  EXPECT_EQ(msk.consumer_groups, std::vector<std::string>{"connect-snowflake-sink"});
  EXPECT_FALSE(msk.partition_metrics);
  EXPECT_EQ(*msk.interval, Millis(30000));
  EXPECT_EQ(msk.stop_after, Millis(600000));
  EXPECT_EQ(msk.window, 10);
  EXPECT_EQ(config.find_kafka("other"), nullptr);

  std::string shown = effective_config(config).dump();
  EXPECT_EQ(shown.find("kafka-secret-value"), std::string::npos);
  EXPECT_NE(shown.find("<redacted>"), std::string::npos);
}

TEST(KafkaSection, MistakesNameTheLineAndTheFix) {
  EXPECT_NE(
      error_of("kafka:\n  - name: msk\n    bootstrap_server: b:9092\n").find("cdcwatch.yml:3"),
      std::string::npos);
  EXPECT_NE(error_of("kafka:\n  - name: msk\n    bootstrap_servers: b:9092\n    window: 1\n")
                .find("between 2 and 1000"),
            std::string::npos);
  EXPECT_NE(
      error_of(
          "kafka:\n  - name: msk\n    bootstrap_servers: b:9092\n    lag_seconds_method: guess\n")
          .find("must be auto, record or interpolation"),
      std::string::npos);
  std::string limit = error_of(
      "kafka:\n  - name: msk\n    bootstrap_servers: b:9092\n    record_read_partition_limit: "
      "-5\n");
  EXPECT_NE(limit.find("record_read_partition_limit"), std::string::npos) << limit;
  EXPECT_NE(limit.find("cdcwatch.yml:4"), std::string::npos) << limit;
  EXPECT_NE(limit.find("0 or more"), std::string::npos) << limit;
  EXPECT_NE(error_of("kafka:\n  - name: msk\n    bootstrap_servers: b:9092\n    properties:\n"
                     "      group.id: mine\n")
                .find("properties.group.id is set by cdcwatch"),
            std::string::npos);
  EXPECT_NE(error_of("kafka:\n  name: msk\n").find("expected a list"), std::string::npos);
  EXPECT_NE(
      error_of("kafka:\n  - {name: a, bootstrap_servers: x}\n  - {name: a, bootstrap_servers: y}\n")
          .find("duplicate name"),
      std::string::npos);
}

}  // namespace
}  // namespace cdcwatch
