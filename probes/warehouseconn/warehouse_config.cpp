#include "probes/warehouseconn/warehouse_config.h"

#include <cctype>

namespace cdcwatch {
namespace {

SnowflakeConfig parse_snowflake(const ConfigNode& node, bool table_required) {
  node.expect_keys(
      {"account", "user", "private_key_file", "role", "warehouse", "table", "url", "timeout"});
  SnowflakeConfig config;
  config.account = node.required_string("account");
  config.user = node.required_string("user");
  config.private_key_file = node.required_string("private_key_file");
  config.role = node.string_or("role", "");
  config.warehouse = node.string_or("warehouse", "");
  config.table = table_required ? node.required_string("table") : node.string_or("table", "");
  if (!config.table.empty() && !is_plain_table_name(config.table)) {
    node.child("table").fail("expected DATABASE.SCHEMA.TABLE (letters, digits and '_')");
  }
  config.url = node.string_or("url", "https://" + config.account + ".snowflakecomputing.com");
  while (!config.url.empty() && config.url.back() == '/') config.url.pop_back();
  config.timeout = node.duration_at_least("timeout", config.timeout, kMinimumInterval);
  return config;
}

}  // namespace

std::string table_name_or(const ConfigNode& node, std::string_view key, std::string fallback) {
  std::string table = node.string_or(key, std::move(fallback));
  if (!is_plain_table_name(table)) {
    node.child(key).fail("expected schema.table (letters, digits and '_'), got '" + table + "'");
  }
  return table;
}

WarehouseConfig parse_warehouse(const ConfigNode& node, bool table_required) {
  if (table_required) {
    node.expect_keys({"snowflake", "postgres", "poll_interval"});
  } else {
    node.expect_keys({"name", "snowflake", "postgres"});
  }
  WarehouseConfig config;
  if (!table_required) config.name = node.required_string("name");
  if (auto snowflake = node.optional_child("snowflake"))
    config.snowflake = parse_snowflake(*snowflake, table_required);
  if (auto postgres = node.optional_child("postgres")) {
    postgres->expect_keys({"dsn", "table"});
    config.postgres = PgWarehouseConfig{
        postgres->child("dsn").as_secret(),
        table_required ? table_name_or(*postgres, "table", "public.cdcwatch_canary")
                       : std::string()};
  }
  if (config.snowflake.has_value() == config.postgres.has_value()) {
    node.fail("set exactly one of snowflake: or postgres:");
  }
  if (table_required) {
    config.poll_interval = node.optional_duration_at_least("poll_interval", kMinimumInterval);
  }
  return config;
}

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

nlohmann::json describe(const WarehouseConfig& config) {
  nlohmann::json warehouse;
  if (!config.name.empty()) warehouse["name"] = config.name;
  if (const auto& s = config.snowflake) {
    warehouse["snowflake"] = {{"account", s->account},
                              {"user", s->user},
                              {"private_key_file", s->private_key_file},
                              {"role", s->role},
                              {"warehouse", s->warehouse},
                              {"table", s->table},
                              {"url", s->url},
                              {"timeout", format_duration(s->timeout)}};
  }
  if (const auto& p = config.postgres) {
    warehouse["postgres"] = {{"dsn", p->dsn.display}, {"table", p->table}};
  }
  if (config.poll_interval) warehouse["poll_interval"] = format_duration(*config.poll_interval);
  return warehouse;
}

}  // namespace cdcwatch
