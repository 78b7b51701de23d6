#include "probes/sink_truth/sink_config.h"

#include "probes/warehouseconn/warehouse_config.h"

namespace cdcwatch {

SinkConfig parse_sink(const ConfigNode& node) {
  node.expect_keys(
      {"name", "connector", "kafka", "warehouse", "ingestion", "schema", "connect", "interval"});
  SinkConfig config;
  config.name = node.required_string("name");
  config.connector = node.required_string("connector");
  config.kafka = node.required_string("kafka");
  config.warehouse = node.required_string("warehouse");
  std::string ingestion = node.string_or("ingestion", "streaming");
  if (ingestion == "snowpipe") {
    config.ingestion = Ingestion::kSnowpipe;
  } else if (ingestion != "streaming") {
    node.child("ingestion")
        .fail(
            "expected streaming (Snowpipe Streaming channels) or snowpipe (file-based pipes), "
            "got '" +
            ingestion + "'");
  }
  config.schema = node.required_string("schema");
  if (!is_plain_table_name(config.schema) || config.schema.find('.') != config.schema.rfind('.') ||
      config.schema.find('.') == std::string::npos) {
    node.child("schema").fail("expected DATABASE.SCHEMA of plain identifiers, got '" +
                              config.schema + "'");
  }
  if (node.has("connect")) config.connect = node.required_string("connect");
  if (config.ingestion == Ingestion::kSnowpipe && !config.connect) {
    // Pipe names carry the table, not the topic: without the connector's topics and
    // snowflake.topic2table.map cdcwatch cannot tell which pipe loads which partition.
    node.fail(
        "ingestion: snowpipe needs connect: (the Connect cluster whose config names the "
        "connector's topics and snowflake.topic2table.map)");
  }
  config.interval = node.duration_at_least("interval", config.interval, kMinimumInterval);
  return config;
}

const char* ingestion_name(Ingestion ingestion) {
  return ingestion == Ingestion::kSnowpipe ? "snowpipe" : "streaming";
}

nlohmann::json describe(const SinkConfig& config) {
  nlohmann::json out = {{"name", config.name},
                        {"connector", config.connector},
                        {"kafka", config.kafka},
                        {"warehouse", config.warehouse},
                        {"ingestion", ingestion_name(config.ingestion)},
                        {"schema", config.schema},
                        {"interval", format_duration(config.interval)}};
  if (config.connect) out["connect"] = *config.connect;
  return out;
}

}  // namespace cdcwatch
