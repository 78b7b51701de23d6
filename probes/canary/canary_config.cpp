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

std::string checked_table(const ConfigNode& node, std::string_view key, std::string fallback) {
  std::string table = node.string_or(key, std::move(fallback));
  if (!is_plain_table_name(table)) {
    node.child(key).fail("expected schema.table (letters, digits and '_'), got '" + table + "'");
  }
  return table;
}

SnowflakeConfig parse_snowflake(const ConfigNode& node) {
  node.expect_keys({"account", "user", "private_key_file", "role", "warehouse", "table", "url", "timeout"});
  SnowflakeConfig config;
  config.account = node.required_string("account");
  config.user = node.required_string("user");
  config.private_key_file = node.required_string("private_key_file");
  config.role = node.string_or("role", "");
  config.warehouse = node.string_or("warehouse", "");
  config.table = node.required_string("table");
  if (!is_plain_table_name(config.table)) {
    node.child("table").fail("expected DATABASE.SCHEMA.TABLE (letters, digits and '_')");
  }
  config.url = node.string_or("url", "https://" + config.account + ".snowflakecomputing.com");
  while (!config.url.empty() && config.url.back() == '/') config.url.pop_back();
  config.timeout = node.duration_or("timeout", config.timeout);
  return config;
}

WarehouseConfig parse_warehouse(const ConfigNode& node) {
  node.expect_keys({"snowflake", "postgres", "poll_interval"});
  WarehouseConfig config;
  if (auto snowflake = node.optional_child("snowflake")) config.snowflake = parse_snowflake(*snowflake);
  if (auto postgres = node.optional_child("postgres")) {
    postgres->expect_keys({"dsn", "table"});
    config.postgres = PgWarehouseConfig{postgres->child("dsn").as_secret(),
                                        checked_table(*postgres, "table", "public.cdcwatch_canary")};
  }
  if (config.snowflake.has_value() == config.postgres.has_value()) {
    node.fail("set exactly one of snowflake: or postgres:");
  }
  config.poll_interval = node.optional_duration("poll_interval");
  return config;
}

}  // namespace

bool is_plain_table_name(const std::string& name) {
  if (name.empty() || name.front() == '.' || name.back() == '.') return false;
  int dots = 0;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (c == '.') {
      if (name[i - 1] == '.' || ++dots > 2) return false;
    } else if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') {
      return false;
    }
  }
  return true;
}

CanaryConfig parse_canary(const ConfigNode& node) {
  node.expect_keys({"name", "postgres", "table", "interval", "mode", "create_table", "agent_id",
                    "kafka", "topic", "warehouse", "max_clock_skew"});
  CanaryConfig config;
  config.name = node.required_string("name");
  config.postgres = node.required_string("postgres");
  config.table = checked_table(node, "table", config.table);
  config.interval = node.duration_or("interval", config.interval);
  if (config.interval < Millis(1000)) node.child("interval").fail("must be at least 1s");
  config.mode = node.string_or("mode", config.mode);
  if (config.mode != "write" && config.mode != "observe") {
    node.child("mode").fail("must be write (cdcwatch upserts the row) or observe (a heartbeat does)");
  }
  config.create_table = node.bool_or("create_table", false);
  config.agent_id = node.string_or("agent_id", host_name());
  if (node.has("kafka")) {
    config.kafka = node.required_string("kafka");
    config.topic = node.required_string("topic");
  } else if (node.has("topic")) {
    node.child("topic").fail("a topic needs kafka: naming the kafka entry to read it from");
  }
  if (auto warehouse = node.optional_child("warehouse")) config.warehouse = parse_warehouse(*warehouse);
  config.max_clock_skew = node.duration_or("max_clock_skew", config.max_clock_skew);
  return config;
}

nlohmann::json describe(const CanaryConfig& config) {
  nlohmann::json out = {{"name", config.name},
                        {"postgres", config.postgres},
                        {"table", config.table},
                        {"interval", format_duration(config.interval)},
                        {"mode", config.mode},
                        {"create_table", config.create_table},
                        {"agent_id", config.agent_id},
                        {"max_clock_skew", format_duration(config.max_clock_skew)}};
  if (config.kafka) {
    out["kafka"] = *config.kafka;
    out["topic"] = config.topic;
  }
  if (config.warehouse) {
    nlohmann::json warehouse;
    if (const auto& s = config.warehouse->snowflake) {
      warehouse["snowflake"] = {{"account", s->account}, {"user", s->user},
                                {"private_key_file", s->private_key_file}, {"role", s->role},
                                {"warehouse", s->warehouse}, {"table", s->table}, {"url", s->url},
                                {"timeout", format_duration(s->timeout)}};
    }
    if (const auto& p = config.warehouse->postgres) {
      warehouse["postgres"] = {{"dsn", p->dsn.display}, {"table", p->table}};
    }
    if (config.warehouse->poll_interval) {
      warehouse["poll_interval"] = format_duration(*config.warehouse->poll_interval);
    }
    out["warehouse"] = warehouse;
  }
  return out;
}

}  // namespace cdcwatch
