#include "probes/kafkaconn/kafka_cluster_config.h"

namespace cdcwatch {

const char* to_string(LagSecondsMethod method) {
  switch (method) {
    case LagSecondsMethod::kAuto:
      return "auto";
    case LagSecondsMethod::kRecord:
      return "record";
    case LagSecondsMethod::kInterpolation:
      return "interpolation";
  }
  return "auto";
}

std::optional<LagSecondsMethod> parse_lag_seconds_method(std::string_view name) {
  for (auto method :
       {LagSecondsMethod::kAuto, LagSecondsMethod::kRecord, LagSecondsMethod::kInterpolation}) {
    if (name == to_string(method)) return method;
  }
  return std::nullopt;
}

namespace {

void parse_discovery(const ConfigNode& node, KafkaClusterConfig& config) {
  config.discover_groups = node.string_list_or("discover_groups", {});
  for (const auto& pattern : config.discover_groups) {
    if (pattern.empty()) {
      node.child("discover_groups")
          .fail("an empty pattern matches no group; write a glob such as \"connect-*\"");
    }
  }
  if (node.has("discovery_interval") && config.discover_groups.empty()) {
    node.child("discovery_interval")
        .fail(
            "discovery_interval without discover_groups lists nothing; add discover_groups: "
            "[\"connect-*\"] or remove discovery_interval");
  }
  config.discovery_interval = node.duration_at_least(
      "discovery_interval", config.discovery_interval, kMinimumDiscoveryInterval);
}

}  // namespace

KafkaClusterConfig parse_kafka_cluster(const ConfigNode& node) {
  node.expect_keys({"name", "bootstrap_servers", "properties", "consumer_groups", "discover_groups",
                    "discovery_interval", "topics", "partition_metrics", "interval", "window",
                    "stop_after", "request_timeout", "lag_seconds_method",
                    "record_read_partition_limit", "schema_registry"});
  KafkaClusterConfig config;
  config.name = node.required_string("name");
  config.bootstrap_servers = node.required_string("bootstrap_servers");
  if (auto properties = node.optional_child("properties")) {
    if (!properties->is_map()) properties->fail("expected a map of librdkafka properties");
    for (const auto& [key, value] : properties->entries()) {
      if (key == "bootstrap.servers") {
        value.fail("set bootstrap_servers instead of properties.bootstrap.servers");
      }
      // cdcwatch reads each watched group through a client whose group.id is that group and
      // which must never commit or join: these stay cdcwatch's.
      if (key == "group.id" || key == "group.instance.id" || key == "enable.auto.commit" ||
          key == "enable.auto.offset.store") {
        value.fail("properties." + key +
                   " is set by cdcwatch (it never joins or commits for a group); remove it and "
                   "list the groups to watch under consumer_groups");
      }
      bool credential = key.find("password") != std::string::npos;
      config.properties.emplace_back(key, credential ? value.as_credential() : value.as_secret());
    }
  }
  config.consumer_groups = node.string_list_or("consumer_groups", {});
  parse_discovery(node, config);
  config.topics = node.string_list_or("topics", {});
  config.partition_metrics = node.bool_or("partition_metrics", config.partition_metrics);
  config.interval = node.optional_duration_at_least("interval", kMinimumInterval);
  config.window = static_cast<int>(node.integer_or("window", config.window));
  if (config.window < 2 || config.window > 1000) {
    node.child("window").fail("must be between 2 and 1000 observations");
  }
  config.stop_after = node.duration_or("stop_after", config.stop_after);
  config.request_timeout =
      node.duration_at_least("request_timeout", config.request_timeout, kMinimumInterval);
  auto method = parse_lag_seconds_method(
      node.string_or("lag_seconds_method", to_string(config.lag_seconds_method)));
  if (!method) node.child("lag_seconds_method").fail("must be auto, record or interpolation");
  config.lag_seconds_method = *method;
  config.record_read_partition_limit =
      node.integer_or("record_read_partition_limit", config.record_read_partition_limit);
  if (config.record_read_partition_limit < 0) {
    node.child("record_read_partition_limit")
        .fail("must be 0 or more partitions (0: auto never reads records)");
  }
  if (auto registry = node.optional_child("schema_registry")) {
    config.schema_registry = parse_schema_registry(*registry);
  }
  return config;
}

nlohmann::json describe(const KafkaClusterConfig& config) {
  nlohmann::json properties = nlohmann::json::object();
  for (const auto& [key, value] : config.properties) properties[key] = value.display;
  nlohmann::json out = {{"name", config.name},
                        {"bootstrap_servers", config.bootstrap_servers},
                        {"properties", properties},
                        {"consumer_groups", config.consumer_groups},
                        {"discover_groups", config.discover_groups},
                        {"discovery_interval", format_duration(config.discovery_interval)},
                        {"topics", config.topics},
                        {"partition_metrics", config.partition_metrics},
                        {"window", config.window},
                        {"stop_after", format_duration(config.stop_after)},
                        {"request_timeout", format_duration(config.request_timeout)},
                        {"lag_seconds_method", to_string(config.lag_seconds_method)},
                        {"record_read_partition_limit", config.record_read_partition_limit}};
  if (config.interval) out["interval"] = format_duration(*config.interval);
  if (config.schema_registry) out["schema_registry"] = describe(*config.schema_registry);
  return out;
}

}  // namespace cdcwatch
