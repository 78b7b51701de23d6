#include "agent/app/config.h"

#include <yaml-cpp/yaml.h>

#include <set>

#include "agent/alerting/rule_set.h"
#include "probes/pgconn/dsn_redaction.h"

namespace cdcwatch {
namespace {

// Names become label values and references between sections, so they must be unique and tame.
void check_name(const ConfigNode& entry, const std::string& name, std::set<std::string>& seen) {
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
      entry.child("name").fail("use letters, digits, '-', '_' or '.' only, got '" + name + "'");
    }
  }
  if (!seen.insert(name).second) {
    entry.child("name").fail("duplicate name '" + name + "'; each entry needs its own");
  }
}

// A top-level list section; absent or empty means no entries.
std::vector<ConfigNode> section(const ConfigNode& root, std::string_view key) {
  if (!root.has(key)) return {};
  ConfigNode node = root.child(key);
  if (node.is_null()) return {};
  if (!node.is_sequence()) node.fail("expected a list of entries (each starting with '- name:')");
  return node.items();
}

template <typename Entry>
const Entry* find_by_name(const std::vector<Entry>& entries, const std::string& name) {
  for (const auto& entry : entries) {
    if (entry.name == name) return &entry;
  }
  return nullptr;
}

// Fails on the entry's `key` unless `section` has an entry called `name`.
template <typename Entry>
void expect_entry(const ConfigNode& entry, const char* key, const std::vector<Entry>& entries,
                  const std::string& name, const std::string& section) {
  if (!find_by_name(entries, name)) {
    entry.child(key).fail("no " + section + " entry named '" + name + "'; name one of the " +
                          section + ": entries");
  }
}

// Keys whose values are credentials however they were written: a routing key or password typed
// inline, without ${...}, is still one.
bool names_a_credential(std::string_view key) {
  for (std::string_view word : {"password", "token", "secret", "routing_key", "jaas", "key.pem"}) {
    if (key.find(word) != std::string_view::npos) return true;
  }
  return key.find("private_key") != std::string_view::npos && !key.ends_with("_file");
}

void redact_all_strings(nlohmann::json& value) {
  if (value.is_string()) {
    value = std::string(kRedacted);
  } else if (value.is_structured()) {
    for (auto& item : value) redact_all_strings(item);
  }
}

void redact_credentials(nlohmann::json& value) {
  if (value.is_array()) {
    for (auto& item : value) redact_credentials(item);
  }
  if (!value.is_object()) return;
  for (auto& [key, item] : value.items()) {
    if (key == "dsn" && item.is_string()) {
      item = redact_dsn(item.get<std::string>());
    } else if (names_a_credential(key)) {
      redact_all_strings(item);
    } else {
      redact_credentials(item);
    }
  }
}

YAML::Node to_yaml_node(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::object: {
      YAML::Node node(YAML::NodeType::Map);
      for (const auto& [key, item] : value.items()) node[key] = to_yaml_node(item);
      return node;
    }
    case nlohmann::json::value_t::array: {
      YAML::Node node(YAML::NodeType::Sequence);
      for (const auto& item : value) node.push_back(to_yaml_node(item));
      return node;
    }
    case nlohmann::json::value_t::string:
      return YAML::Node(value.get<std::string>());
    case nlohmann::json::value_t::null:
      return YAML::Node();
    default:
      return YAML::Node(value.dump());
  }
}

// What a pipelines: entry may name.
PipelineReferences pipeline_references(const Config& config) {
  PipelineReferences references;
  for (const auto& source : config.postgres) references.postgres_slots[source.name] = source.slots;
  for (const auto& connect : config.connect)
    references.connectors[connect.name] = connect.connectors;
  for (const auto& cluster : config.kafka) references.kafka.insert(cluster.name);
  for (const auto& warehouse : config.warehouses) references.warehouses.insert(warehouse.name);
  for (const auto& canary : config.canaries) references.canaries.insert(canary.name);
  return references;
}

// A sinks: entry names a kafka: entry, a Snowflake warehouses: entry and optionally a connect:
// entry.
void check_sink_references(const ConfigNode& entry, const SinkConfig& sink, const Config& config) {
  expect_entry(entry, "kafka", config.kafka, sink.kafka, "kafka");
  expect_entry(entry, "warehouse", config.warehouses, sink.warehouse, "warehouses");
  if (!find_by_name(config.warehouses, sink.warehouse)->snowflake) {
    entry.child("warehouse")
        .fail("warehouses entry '" + sink.warehouse +
              "' has no snowflake: block; sinks read Snowflake's channels and pipes");
  }
  if (sink.connect) expect_entry(entry, "connect", config.connect, *sink.connect, "connect");
}

Config parse_sections(const ConfigNode& root) {
  root.expect_keys({"agent", "postgres", "kafka", "connect", "warehouses", "canaries",
                    "consistency", "pipelines", "sinks", "maintenance", "alerts", "notifiers"});
  Config config;
  config.path = root.file();
  if (auto agent = root.optional_child("agent")) config.agent = parse_agent_settings(*agent);

  std::set<std::string> postgres_names;
  for (const auto& entry : section(root, "postgres")) {
    config.postgres.push_back(parse_pg_source(entry));
    check_name(entry, config.postgres.back().name, postgres_names);
  }
  std::set<std::string> kafka_names;
  for (const auto& entry : section(root, "kafka")) {
    config.kafka.push_back(parse_kafka_cluster(entry));
    check_name(entry, config.kafka.back().name, kafka_names);
  }
  std::set<std::string> connect_names;
  for (const auto& entry : section(root, "connect")) {
    config.connect.push_back(parse_connect(entry));
    const ConnectConfig& connect = config.connect.back();
    check_name(entry, connect.name, connect_names);
    if (connect.kafka) expect_entry(entry, "kafka", config.kafka, *connect.kafka, "kafka");
  }
  std::set<std::string> warehouse_names;
  for (const auto& entry : section(root, "warehouses")) {
    config.warehouses.push_back(parse_warehouse(entry, false));
    check_name(entry, config.warehouses.back().name, warehouse_names);
  }
  std::set<std::string> canary_names;
  for (const auto& entry : section(root, "canaries")) {
    config.canaries.push_back(parse_canary(entry));
    const CanaryConfig& canary = config.canaries.back();
    check_name(entry, canary.name, canary_names);
    expect_entry(entry, "postgres", config.postgres, canary.postgres, "postgres");
    if (canary.kafka) expect_entry(entry, "kafka", config.kafka, *canary.kafka, "kafka");
    if (canary.warehouse_name) {
      const WarehouseConfig* named = find_by_name(config.warehouses, *canary.warehouse_name);
      if (!named) {
        entry.child("warehouse")
            .fail("no warehouses entry named '" + *canary.warehouse_name +
                  "'; name one, or give the snowflake:/postgres: block inline");
      }
      WarehouseConfig resolved = *named;
      if (resolved.snowflake) resolved.snowflake->table = canary.warehouse_table;
      if (resolved.postgres) resolved.postgres->table = canary.warehouse_table;
      config.canaries.back().warehouse = resolved;
    }
  }
  std::set<std::string> consistency_names;
  for (const auto& entry : section(root, "consistency")) {
    config.consistency.push_back(parse_consistency(entry));
    const ConsistencyConfig& check = config.consistency.back();
    check_name(entry, check.name, consistency_names);
    expect_entry(entry, "postgres", config.postgres, check.postgres, "postgres");
    expect_entry(entry, "warehouse", config.warehouses, check.warehouse, "warehouses");
  }
  std::set<std::string> sink_names;
  for (const auto& entry : section(root, "sinks")) {
    config.sinks.push_back(parse_sink(entry));
    check_sink_references(entry, config.sinks.back(), config);
    check_name(entry, config.sinks.back().name, sink_names);
  }
  std::set<std::string> pipeline_names;
  for (const auto& entry : section(root, "pipelines")) {
    config.pipelines.push_back(parse_pipeline(entry));
    check_name(entry, config.pipelines.back().name, pipeline_names);
    check_pipeline_references(entry, config.pipelines.back(), pipeline_references(config));
  }
  config.maintenance = parse_maintenance(section(root, "maintenance"));
  if (auto alerts = root.optional_child("alerts")) config.alerts = parse_alerts_config(*alerts);
  if (auto notifiers = root.optional_child("notifiers")) {
    config.notifiers = parse_notifiers_config(*notifiers);
  }
  config.rules = build_rule_set(config.alerts, config.path);
  return config;
}

}  // namespace

const PgSourceConfig* Config::find_postgres(const std::string& name) const {
  return find_by_name(postgres, name);
}

const KafkaClusterConfig* Config::find_kafka(const std::string& name) const {
  return find_by_name(kafka, name);
}

const WarehouseConfig* Config::find_warehouse(const std::string& name) const {
  return find_by_name(warehouses, name);
}

Config load_config(const std::string& path) { return parse_config(ConfigNode::load_file(path)); }

Config parse_config(const ConfigNode& root) {
  try {
    return parse_sections(root);
  } catch (const YAML::Exception& e) {
    // yaml-cpp can still throw on odd documents (aliases, conversions); keep it a config error.
    throw ConfigError(root.file() + ":" + std::to_string(e.mark.line + 1) + ":" +
                      std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
}

nlohmann::json effective_config(const Config& config) {
  nlohmann::json out;
  out["agent"] = describe(config.agent);
  out["postgres"] = nlohmann::json::array();
  for (const auto& source : config.postgres) out["postgres"].push_back(describe(source));
  out["kafka"] = nlohmann::json::array();
  for (const auto& cluster : config.kafka) out["kafka"].push_back(describe(cluster));
  out["connect"] = nlohmann::json::array();
  for (const auto& connect : config.connect) out["connect"].push_back(describe(connect));
  out["warehouses"] = nlohmann::json::array();
  for (const auto& warehouse : config.warehouses) out["warehouses"].push_back(describe(warehouse));
  out["canaries"] = nlohmann::json::array();
  for (const auto& canary : config.canaries) out["canaries"].push_back(describe(canary));
  out["consistency"] = nlohmann::json::array();
  for (const auto& check : config.consistency) out["consistency"].push_back(describe(check));
  out["sinks"] = nlohmann::json::array();
  for (const auto& sink : config.sinks) out["sinks"].push_back(describe(sink));
  out["pipelines"] = nlohmann::json::array();
  for (const auto& pipeline : config.pipelines) out["pipelines"].push_back(describe(pipeline));
  out["maintenance"] = nlohmann::json::array();
  for (const auto& window : config.maintenance) out["maintenance"].push_back(describe(window));
  out["alerts"] = describe(config.alerts);
  out["notifiers"] = describe(config.notifiers);
  // Any string value may hold a ${...} reference, not only the keys described as secrets.
  scrub_secrets_in(out);
  redact_credentials(out);
  return out;
}

std::string to_yaml(const nlohmann::json& value) {
  YAML::Emitter emitter;
  emitter << to_yaml_node(value);
  return std::string(emitter.c_str()) + "\n";
}

}  // namespace cdcwatch
