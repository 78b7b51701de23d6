#include "probes/canary/canary_config.h"

#include <unistd.h>

#include <cctype>

namespace cdcwatch {
namespace {

std::string host_name() {
  char name[256] = "";
  if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "cdcwatch";
  return name;
}

}  // namespace

CanaryConfig parse_canary(const ConfigNode& node) {
  node.expect_keys({"name", "postgres", "table", "interval", "mode", "create_table", "agent_id",
                    "kafka", "topic", "warehouse", "warehouse_table", "max_clock_skew"});
  CanaryConfig config;
  config.name = node.required_string("name");
  config.postgres = node.required_string("postgres");
  config.table = table_name_or(node, "table", config.table);
  config.interval = node.duration_at_least("interval", config.interval, Millis(1000));
  config.mode = node.string_or("mode", config.mode);
  if (config.mode != "write" && config.mode != "observe") {
    node.child("mode").fail(
        "must be write (cdcwatch upserts the row) or observe (a heartbeat does)");
  }
  config.create_table = node.bool_or("create_table", false);
  config.agent_id = node.string_or("agent_id", host_name());
  if (node.has("kafka")) {
    config.kafka = node.required_string("kafka");
    config.topic = node.required_string("topic");
  } else if (node.has("topic")) {
    node.child("topic").fail("a topic needs kafka: naming the kafka entry to read it from");
  }
  if (auto warehouse = node.optional_child("warehouse")) {
    if (warehouse->is_map()) {
      config.warehouse = parse_warehouse(*warehouse, true);
    } else {
      config.warehouse_name = warehouse->as_string();
      config.warehouse_table = node.required_string("warehouse_table");
      if (!is_plain_table_name(config.warehouse_table)) {
        node.child("warehouse_table")
            .fail("expected [DATABASE.]SCHEMA.TABLE (letters, digits and '_')");
      }
    }
  } else if (node.has("warehouse_table")) {
    node.child("warehouse_table")
        .fail("warehouse_table goes with warehouse: <name of a warehouses: entry>");
  }
  config.max_clock_skew = node.duration_or("max_clock_skew", config.max_clock_skew);
  return config;
}

nlohmann::json describe(const CanaryConfig& config) {
  nlohmann::json out = {
      {"name", config.name},         {"postgres", config.postgres},
      {"table", config.table},       {"interval", format_duration(config.interval)},
      {"mode", config.mode},         {"create_table", config.create_table},
      {"agent_id", config.agent_id}, {"max_clock_skew", format_duration(config.max_clock_skew)}};
  if (config.kafka) {
    out["kafka"] = *config.kafka;
    out["topic"] = config.topic;
  }
  if (config.warehouse) out["warehouse"] = describe(*config.warehouse);
  return out;
}

}  // namespace cdcwatch
