// The `canaries:` section: every key, references to postgres: and kafka: entries, and mistakes.
#include <gtest/gtest.h>

#include <cstdlib>

#include "agent/app/config.h"
#include "probes/kafkaconn/kafka_cluster_config.h"

namespace cdcwatch {
namespace {

const std::string kSources =
    "postgres:\n  - name: orders\n    dsn: host=db\nkafka:\n  - name: msk\n    bootstrap_servers: "
    "b:9092\n";

Config parse(const std::string& canaries) {
  return parse_config(ConfigNode::load_string(kSources + canaries, "cdcwatch.yml"));
}

std::string error_of(const std::string& canaries) {
  try {
    parse(canaries);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(CanaryConfig, ParsesTheIssueExampleWithSnowflake) {
  Config config = parse(R"(canaries:
  - name: orders
    postgres: orders
    table: public.cdcwatch_canary
    interval: 10s
    kafka: msk
    topic: orders.public.cdcwatch_canary
    agent_id: agent-1
    warehouse:
      snowflake:
        account: MYORG-MYACCOUNT
        user: CDCWATCH
        private_key_file: /secrets/snowflake_key.p8
        role: CDCWATCH_ROLE
        warehouse: MONITOR_WH
        table: ANALYTICS.ORDERS_CDC.CDCWATCH_CANARY
)");
  ASSERT_EQ(config.canaries.size(), 1u);
  const CanaryConfig& c = config.canaries[0];
  EXPECT_EQ(c.interval, Millis(10000));
  EXPECT_EQ(c.mode, "write");
  EXPECT_EQ(*c.kafka, "msk");
  EXPECT_EQ(c.warehouse->snowflake->url, "https://MYORG-MYACCOUNT.snowflakecomputing.com");
  EXPECT_EQ(effective_config(config)["canaries"][0]["warehouse"]["snowflake"]["table"],
            "ANALYTICS.ORDERS_CDC.CDCWATCH_CANARY");
}

TEST(CanaryConfig, PostgresWarehouseSecretsAreRedactedAndObserveModeIsAccepted) {
  setenv("CDCWATCH_TEST_WAREHOUSE_PASSWORD", "warehouse-secret-value", 1);
  Config config = parse(R"(canaries:
  - name: orders
    postgres: orders
    mode: observe
    agent_id: debezium-heartbeat
    warehouse:
      postgres:
        dsn: "host=wh password=${env:CDCWATCH_TEST_WAREHOUSE_PASSWORD}"
        table: analytics.cdcwatch_canary
      poll_interval: 30s
)");
  const CanaryConfig& c = config.canaries[0];
  EXPECT_EQ(c.mode, "observe");
  EXPECT_EQ(c.warehouse->postgres->dsn.value, "host=wh password=warehouse-secret-value");
  EXPECT_EQ(*c.warehouse->poll_interval, Millis(30000));
  std::string shown = effective_config(config).dump();
  EXPECT_EQ(shown.find("warehouse-secret-value"), std::string::npos);
}

TEST(CanaryConfig, AWarehouseCanBeANamedEntryWithTheCanaryTable) {
  Config config = parse(R"(warehouses:
  - name: analytics
    snowflake: {account: MYORG-MYACCOUNT, user: CDCWATCH, private_key_file: /k.p8, warehouse: MONITOR_WH}
canaries:
  - name: orders
    postgres: orders
    warehouse: analytics
    warehouse_table: ANALYTICS.ORDERS_CDC.CDCWATCH_CANARY
)");
  ASSERT_TRUE(config.canaries[0].warehouse);
  EXPECT_EQ(config.canaries[0].warehouse->snowflake->table, "ANALYTICS.ORDERS_CDC.CDCWATCH_CANARY");
  EXPECT_EQ(config.canaries[0].warehouse->snowflake->warehouse, "MONITOR_WH");
  EXPECT_EQ(config.find_warehouse("analytics")->snowflake->table, "")
      << "the named entry stays table-less";
  EXPECT_NE(error_of("canaries:\n  - name: c\n    postgres: orders\n    warehouse: nope\n    "
                     "warehouse_table: a.b\n")
                .find("no warehouses entry named 'nope'"),
            std::string::npos);
  EXPECT_NE(error_of("canaries:\n  - name: c\n    postgres: orders\n    warehouse: nope\n")
                .find("warehouse_table"),
            std::string::npos);
}

TEST(CanaryConfig, MistakesNameTheKeyAndTheFix) {
  EXPECT_NE(error_of("canaries:\n  - name: c\n    postgres: nope\n")
                .find("no postgres entry named 'nope'"),
            std::string::npos);
  EXPECT_NE(
      error_of("canaries:\n  - name: c\n    postgres: orders\n    kafka: nope\n    topic: t\n")
          .find("no kafka entry named 'nope'"),
      std::string::npos);
  EXPECT_NE(
      error_of("canaries:\n  - name: c\n    postgres: orders\n    topic: t\n").find("needs kafka:"),
      std::string::npos);
  EXPECT_NE(
      error_of("canaries:\n  - name: c\n    postgres: orders\n    kafka: msk\n").find("topic"),
      std::string::npos);
  EXPECT_NE(
      error_of("canaries:\n  - name: c\n    postgres: orders\n    table: \"x; DROP TABLE y\"\n")
          .find("expected schema.table"),
      std::string::npos);
  EXPECT_NE(error_of("canaries:\n  - name: c\n    postgres: orders\n    mode: sometimes\n")
                .find("must be write"),
            std::string::npos);
  EXPECT_NE(error_of("canaries:\n  - name: c\n    postgres: orders\n    warehouse: {}\n")
                .find("exactly one of"),
            std::string::npos);
  EXPECT_NE(error_of("canaries:\n  - name: c\n    postgres: orders\n    interval: 100ms\n")
                .find("at least 1s"),
            std::string::npos);
  EXPECT_NE(error_of("canaries:\n  - name: c\n    postgres: orders\n    intervall: 10s\n")
                .find("cdcwatch.yml:"),
            std::string::npos);
}

TEST(CanaryConfig, TableNamesArePlainIdentifiers) {
  EXPECT_TRUE(is_plain_table_name("cdcwatch_canary"));
  EXPECT_TRUE(is_plain_table_name("public.cdcwatch_canary"));
  EXPECT_TRUE(is_plain_table_name("ANALYTICS.ORDERS_CDC.CDCWATCH_CANARY"));
  for (const char* bad : {"", ".t", "t.", "a..b", "a.b.c.d", "t;", "t t", "\"T\""}) {
    EXPECT_FALSE(is_plain_table_name(bad)) << bad;
  }
}

// Issue #20's contract on a kafka: entry, for the canary's Avro events.
TEST(CanaryConfig, AKafkaEntrysSchemaRegistryIsParsedWithItsSecretsRedacted) {
  setenv("CDCWATCH_TEST_SR_PASSWORD", "registry-secret-value", 1);
  auto kafka = [](const std::string& registry) {
    return parse_kafka_cluster(ConfigNode::load_string(
        "name: msk\nbootstrap_servers: b:9092\nschema_registry:\n" + registry, "cdcwatch.yml"));
  };
  KafkaClusterConfig config = kafka(
      "  url: https://registry:8081/\n  username: cdcwatch\n"
      "  password: ${env:CDCWATCH_TEST_SR_PASSWORD}\n  ca_file: /etc/ssl/registry.pem\n"
      "  timeout: 3s\n");
  ASSERT_TRUE(config.schema_registry);
  EXPECT_EQ(config.schema_registry->url, "https://registry:8081");
  EXPECT_EQ(config.schema_registry->password->value, "registry-secret-value");
  EXPECT_EQ(config.schema_registry->timeout, Millis(3000));
  std::string described = describe(config).dump();
  EXPECT_NE(described.find("<redacted>"), std::string::npos) << described;
  EXPECT_EQ(described.find("registry-secret-value"), std::string::npos);
  auto error = [&](const std::string& registry) {
    try {
      kafka(registry);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(error("  url: registry:8081\n").find("https://"), std::string::npos);
  EXPECT_NE(error("  url: http://r:8081\n  username: u\n").find("both username and password"),
            std::string::npos);
  EXPECT_NE(error("  url: http://r:8081\n  tiemout: 3s\n").find("tiemout"), std::string::npos);
}

}  // namespace
}  // namespace cdcwatch
