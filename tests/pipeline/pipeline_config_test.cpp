// The `pipelines:` section exactly as issue #16 writes it, and its mistakes named at file:line.
#include <gtest/gtest.h>

#include "agent/app/config.h"

namespace cdcwatch {
namespace {

const std::string kSections =
    "postgres:\n"
    "  - name: shop\n"
    "    dsn: postgres://cdcwatch@db/shop\n"
    "    slots: [debezium_orders]\n"
    "kafka:\n"
    "  - name: main\n"
    "    bootstrap_servers: kafka:9092\n"
    "connect:\n"
    "  - name: main\n"
    "    url: http://connect:8083\n"
    "    connectors: [orders-source, orders-snowflake]\n"
    "warehouses:\n"
    "  - name: snowflake\n"
    "    postgres:\n"
    "      dsn: postgres://cdcwatch@warehouse/analytics\n"
    "canaries:\n"
    "  - name: shop\n"
    "    postgres: shop\n";

// The issue's example, verbatim.
const std::string kIssueExample =
    "pipelines:\n"
    "  - name: orders\n"
    "    source: { postgres: shop, slot: debezium_orders }\n"
    "    capture: { connect: main, connector: orders-source }\n"
    "    topics: [\"orders.public.*\"]\n"
    "    sink: { connect: main, connector: orders-snowflake, kafka: main }\n"
    "    warehouse: { name: snowflake, tables: [ANALYTICS.PUBLIC.ORDERS] }\n"
    "    canary: shop\n";

Config load(const std::string& pipelines) {
  return parse_config(ConfigNode::load_string(kSections + pipelines, "cdcwatch.yml"));
}

std::string error_of(const std::string& pipelines) {
  try {
    load(pipelines);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  text.replace(text.find(from), from.size(), to);
  return text;
}

TEST(PipelinesSection, TheIssuesExampleLoadsWithEveryField) {
  Config config = load(kIssueExample);
  ASSERT_EQ(config.pipelines.size(), 1u);
  const PipelineDef& p = config.pipelines[0];
  EXPECT_EQ(p.name, "orders");
  EXPECT_EQ(p.postgres, "shop");
  EXPECT_EQ(p.slot, "debezium_orders");
  EXPECT_EQ(p.capture->connect, "main");
  EXPECT_EQ(p.capture->connector, "orders-source");
  EXPECT_EQ(p.topics, std::vector<std::string>{"orders.public.*"});
  EXPECT_EQ(p.sink->connector, "orders-snowflake");
  EXPECT_EQ(p.kafka, "main");
  EXPECT_EQ(p.warehouse, "snowflake");
  EXPECT_EQ(p.tables, std::vector<std::string>{"ANALYTICS.PUBLIC.ORDERS"});
  EXPECT_EQ(p.canary, "shop");
  EXPECT_EQ(p.formed.rfind("pipelines: entry at cdcwatch.yml:", 0), 0u) << p.formed;
  EXPECT_EQ(effective_config(config)["pipelines"][0]["sink"]["kafka"], "main");
}

TEST(PipelinesSection, OnlyTheNameIsRequired) {
  Config config = load("pipelines:\n  - name: orders\n");
  ASSERT_EQ(config.pipelines.size(), 1u);
  EXPECT_FALSE(config.pipelines[0].postgres);
  EXPECT_FALSE(config.pipelines[0].sink);
  EXPECT_NE(error_of("pipelines:\n  - canary: shop\n").find("name"), std::string::npos);
}

TEST(PipelinesSection, AFieldNamingNoEntryIsAnErrorAtItsLineWithTheFix) {
  struct Row {
    std::string from, to, expected;
  };
  const Row rows[] = {
      {"postgres: shop,", "postgres: shopp,",
       "cdcwatch.yml:21:25 (pipelines[0].source.postgres): no postgres entry named 'shopp'"},
      {"slot: debezium_orders", "slot: debezium_order",
       "cdcwatch.yml:21:37 (pipelines[0].source.slot): slot 'debezium_order' is not among the "
       "slots postgres entry 'shop' watches"},
      {"capture: { connect: main", "capture: { connect: mian",
       "cdcwatch.yml:22:25 (pipelines[0].capture.connect): no connect entry named 'mian'"},
      {"connector: orders-source", "connector: orders-src",
       "(pipelines[0].capture.connector): connector 'orders-src' is not among the connectors "
       "connect entry 'main' watches"},
      {"kafka: main }", "kafka: msk }",
       "cdcwatch.yml:24:64 (pipelines[0].sink.kafka): no kafka entry named 'msk'"},
      {"name: snowflake", "name: snowflak",
       "(pipelines[0].warehouse.name): no warehouses entry named 'snowflak'"},
      {"canary: shop", "canary: shp",
       "cdcwatch.yml:26:13 (pipelines[0].canary): no canaries entry named 'shp'"},
      {"topics:", "topic:", "unknown key 'topic'"},
      {"sink: { connect", "sink: { conect", "unknown key 'conect'"},
  };
  for (const auto& row : rows) {
    std::string error = error_of(replaced(kIssueExample, row.from, row.to));
    EXPECT_NE(error.find(row.expected), std::string::npos) << row.to << "\n  got: " << error;
  }
}

TEST(PipelinesSection, NamesAreUniqueAndTame) {
  EXPECT_NE(error_of("pipelines:\n  - name: orders\n  - name: orders\n").find("duplicate name"),
            std::string::npos);
  EXPECT_NE(error_of("pipelines:\n  - name: \"orders pipeline\"\n").find("letters, digits"),
            std::string::npos);
}

}  // namespace
}  // namespace cdcwatch
