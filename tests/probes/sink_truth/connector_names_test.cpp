// How the Snowflake connector names channels, tables and pipes, per version (probes/sink_truth/
// connector_names.h cites the connector's source for each form), and the sinks: entry's contract.
#include "probes/sink_truth/connector_names.h"

#include <gtest/gtest.h>

#include "agent/app/config.h"
#include "agent/core/config_node.h"
#include "probes/sink_truth/sink_config.h"
#include "probes/sink_truth/sink_queries.h"

namespace cdcwatch {
namespace {

const std::vector<std::string> kTopics = {"shop.public.orders", "orders", "Orders_2"};

TEST(ConnectorNames, ChannelsOfEveryConnectorVersionMapToTheirPartition) {
  // 2.1.2-3.x default: <topic>_<partition>, shown upper-cased by Snowflake.
  EXPECT_EQ(channel_partition("SHOP.PUBLIC.ORDERS_2", "orders-sink", kTopics),
            (TopicPartitionKey{"shop.public.orders", 2}));
  // 2.1.0-2.1.1, 4.x: <connector>_<topic>_<partition>.
  EXPECT_EQ(channel_partition("ORDERS-SINK_ORDERS_0", "orders-sink", kTopics),
            (TopicPartitionKey{"orders", 0}));
  // A topic ending in _<digits> keeps them: the partition is the last part only.
  EXPECT_EQ(channel_partition("ORDERS_2_7", "orders-sink", kTopics),
            (TopicPartitionKey{"Orders_2", 7}));
  // Another connector's channels, and names that are no channel of a partition.
  EXPECT_EQ(channel_partition("OTHER-SINK_ORDERS_0", "orders-sink", kTopics), std::nullopt);
  EXPECT_EQ(channel_partition("ORDERS_X", "orders-sink", kTopics), std::nullopt);
  EXPECT_EQ(channel_partition("ORDERS_", "orders-sink", kTopics), std::nullopt);
  EXPECT_EQ(channel_partition("ORDERS_-1", "orders-sink", kTopics), std::nullopt);
}

TEST(ConnectorNames, TablesAndPipesAsUtilsGenerateValidNameAndPipeName) {
  auto map = parse_topic2table("orders:ORDERS_CDC, customers.*:CUSTOMERS ,broken,a:b:c");
  ASSERT_EQ(map.size(), 2u);
  EXPECT_EQ(table_for_topic("orders", map), "ORDERS_CDC");
  EXPECT_EQ(table_for_topic("customers.eu", map), "CUSTOMERS");  // the key as a regex
  EXPECT_EQ(table_for_topic("line_items", map), "line_items");   // a valid identifier as is
  // Invalid characters become '_' and abs(String.hashCode()) is appended: 200135406 is Java's
  // "shop.public.orders".hashCode(), computed apart from the code under test.
  EXPECT_EQ(table_for_topic("shop.public.orders", {}), "shop_public_orders_200135406");
  EXPECT_EQ(snowpipe_pipe_name("orders-sink", "ORDERS_CDC", 3),
            "SNOWFLAKE_KAFKA_CONNECTOR_orders-sink_PIPE_ORDERS_CDC_3");
}

TEST(SinkQueries, PipeStatusTimestampsAreIso8601) {
  EXPECT_DOUBLE_EQ(*parse_iso8601("2024-05-01T12:00:00.500Z"), 1714564800.5);
  EXPECT_DOUBLE_EQ(*parse_iso8601("2024-05-01T14:00:00+02:00"), 1714564800.0);
  EXPECT_EQ(parse_iso8601("yesterday"), std::nullopt);
}

SinkConfig parse(const std::string& yaml) {
  return parse_sink(ConfigNode::load_string(yaml, "cdcwatch.yml"));
}

TEST(SinkConfigTest, TheIssuesEntryParsesWithItsDefaults) {
  SinkConfig sink = parse(
      "name: orders-snowflake\nconnector: orders-snowflake\nkafka: main\nwarehouse: snowflake\n"
      "ingestion: snowpipe\nschema: ANALYTICS.PUBLIC\nconnect: main\ninterval: 1m\n");
  EXPECT_EQ(sink.ingestion, Ingestion::kSnowpipe);
  EXPECT_EQ(sink.connect, "main");
  EXPECT_EQ(sink.interval, Millis(60000));
  EXPECT_EQ(parse("name: a\nconnector: a\nkafka: k\nwarehouse: w\nschema: DB.S\n").ingestion,
            Ingestion::kStreaming);
}

TEST(SinkConfigTest, MistakesNameTheirLineAndTheFix) {
  auto error_of = [](const std::string& yaml) {
    try {
      parse(yaml);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  std::string base = "name: a\nconnector: a\nkafka: k\nwarehouse: w\n";
  EXPECT_NE(error_of(base + "schema: DB.S\ningestion: files\n").find("cdcwatch.yml:6"),
            std::string::npos);
  EXPECT_NE(error_of(base + "schema: DB.S\ningestion: files\n").find("streaming"),
            std::string::npos);
  EXPECT_NE(error_of(base + "schema: PUBLIC\n").find("DATABASE.SCHEMA"), std::string::npos);
  EXPECT_NE(error_of(base + "schema: DB.S;DROP\n").find("cdcwatch.yml:5"), std::string::npos);
  EXPECT_NE(error_of(base + "schema: DB.S\ningestion: snowpipe\n").find("needs connect"),
            std::string::npos);
  EXPECT_NE(error_of(base + "schema: DB.S\ntopics: [a]\n").find("topics"), std::string::npos);
}

TEST(SinkConfigTest, TheLoaderChecksWhatAnEntryNames) {
  std::string sections =
      "kafka:\n  - name: main\n    bootstrap_servers: 127.0.0.1:9092\n"
      "warehouses:\n  - name: pg\n    postgres:\n      dsn: host=x\n"
      "  - name: snowflake\n    snowflake:\n      account: a\n      user: u\n"
      "      private_key_file: /k.p8\n";
  auto error_of = [&](const std::string& sink) {
    try {
      parse_config(ConfigNode::load_string(sections + "sinks:\n  - " + sink, "cdcwatch.yml"));
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  std::string entry = "name: s\n    connector: c\n    schema: DB.S\n";
  EXPECT_EQ(error_of(entry + "    kafka: main\n    warehouse: snowflake\n"), "no error");
  EXPECT_NE(error_of(entry + "    kafka: other\n    warehouse: snowflake\n")
                .find("no kafka entry named 'other'"),
            std::string::npos);
  EXPECT_NE(error_of(entry + "    kafka: main\n    warehouse: pg\n").find("no snowflake: block"),
            std::string::npos);
  EXPECT_NE(error_of(entry + "    kafka: main\n    warehouse: snowflake\n    connect: main\n")
                .find("no connect entry named 'main'"),
            std::string::npos);
}

}  // namespace
}  // namespace cdcwatch
