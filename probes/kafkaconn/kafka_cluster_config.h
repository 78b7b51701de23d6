// A `kafka:` entry: one Kafka cluster. The consumer-lag probe, the canary's Kafka observer and the
// Connect probe (sink groups, offsets topic) all reach the cluster with these settings.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/core/config_node.h"
#include "agent/core/secrets.h"
#include "agent/core/units.h"
#include "probes/kafkaconn/schema_registry_config.h"

namespace cdcwatch {

// How the lag probe finds lag in seconds: `record` reads the record at the committed offset,
// `interpolation` estimates from the high watermark's history, `auto` reads and falls back to the
// estimate.
enum class LagSecondsMethod { kAuto, kRecord, kInterpolation };

const char* to_string(LagSecondsMethod method);
// The method a config names, or nothing for any other word.
std::optional<LagSecondsMethod> parse_lag_seconds_method(std::string_view name);

struct KafkaClusterConfig {
  std::string name;  // the `kafka` label
  std::string bootstrap_servers;
  // Passed verbatim to librdkafka (SASL/SSL and the like); values may be secret references.
  std::vector<std::pair<std::string, SecretString>> properties;
  std::vector<std::string> consumer_groups;  // explicitly watched groups
  // Globs of groups to list from the brokers and watch (issue #20); empty: no listing.
  std::vector<std::string> discover_groups;
  Millis discovery_interval{60000};
  std::vector<std::string> topics;  // glob filter on the groups' topics; empty: all
  bool partition_metrics = true;    // false: per-group/per-topic aggregates only
  std::optional<Millis> interval;   // overrides agent.interval
  int window = 10;                  // observations in the status window
  Millis stop_after{300000};        // no commit for this long while lagging: `stop`
  Millis request_timeout{5000};
  LagSecondsMethod lag_seconds_method = LagSecondsMethod::kAuto;
  // `auto` reads records only while the topics with lagging partitions have at most this many
  // partitions in all, and interpolates beyond (probes/kafka_lag/README.md, issue #21).
  int64_t record_read_partition_limit = 20'000;
  // Where the Avro writer schemas of the canary topic are (issue #20); none: JSON events only.
  std::optional<SchemaRegistryConfig> schema_registry;
};

// Listing every group of a cluster and describing it costs more than the offsets of the watched
// ones: not more often than this.
inline constexpr Millis kMinimumDiscoveryInterval{10000};

KafkaClusterConfig parse_kafka_cluster(const ConfigNode& node);
nlohmann::json describe(const KafkaClusterConfig& config);

}  // namespace cdcwatch
