// A `sinks:` entry (issue #18): one Snowflake sink connector whose committed positions cdcwatch
// reads in Snowflake itself (Snowpipe Streaming channels or file-based Snowpipe pipes).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "agent/core/config_node.h"
#include "agent/core/units.h"

namespace cdcwatch {

enum class Ingestion { kStreaming, kSnowpipe };

struct SinkConfig {
  std::string name;       // the `sink` label
  std::string connector;  // the Kafka Connect connector name: channel and pipe names derive from it
  std::string kafka;      // the kafka: entry whose high watermarks it compares with
  std::string warehouse;  // a warehouses: entry with a snowflake block
  Ingestion ingestion = Ingestion::kStreaming;
  std::string schema;                  // DATABASE.SCHEMA of the connector's tables, channels, pipes
  std::optional<std::string> connect;  // the Connect cluster holding the connector's config
  Millis interval{60000};
};

// Pure: checks the entry's shape; references to other sections are checked by the config loader.
SinkConfig parse_sink(const ConfigNode& node);
nlohmann::json describe(const SinkConfig& config);
const char* ingestion_name(Ingestion ingestion);

}  // namespace cdcwatch
