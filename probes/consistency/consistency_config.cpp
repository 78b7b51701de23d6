#include "probes/consistency/consistency_config.h"

#include "probes/warehouseconn/warehouse_config.h"

namespace cdcwatch {
namespace {

bool plain_identifier(const std::string& name) {
  return is_plain_table_name(name) && name.find('.') == std::string::npos;
}

TableCheckConfig parse_table(const ConfigNode& node) {
  node.expect_keys({"source", "target", "key", "updated_at", "window", "checks"});
  TableCheckConfig table;
  table.source = table_name_or(node, "source", node.required_string("source"));
  table.target = table_name_or(node, "target", node.required_string("target"));
  table.key = node.string_list_or("key", {});
  for (const auto& column : table.key) {
    if (!plain_identifier(column))
      node.child("key").fail("key columns are plain identifiers, got '" + column + "'");
  }
  if (node.has("updated_at")) {
    table.updated_at = node.required_string("updated_at");
    if (!plain_identifier(*table.updated_at))
      node.child("updated_at").fail("expected a column name");
  }
  table.window = node.duration_or("window", table.window);
  if (node.has("checks")) {
    table.checks.clear();
    for (const auto& check : node.string_list_or("checks", {})) {
      if (check != "schema" && check != "duplicates" && check != "row_count") {
        node.child("checks").fail("unknown check '" + check +
                                  "': use schema, duplicates, row_count");
      }
      table.checks.insert(check);
    }
  }
  if (table.checks.count("duplicates") && table.key.empty()) {
    node.fail("the duplicates check needs key: [the primary key columns]");
  }
  return table;
}

}  // namespace

ConsistencyConfig parse_consistency(const ConfigNode& node) {
  node.expect_keys(
      {"name", "postgres", "warehouse", "interval", "settle", "statement_timeout", "tables"});
  ConsistencyConfig config;
  config.name = node.required_string("name");
  config.postgres = node.required_string("postgres");
  config.warehouse = node.required_string("warehouse");
  config.interval = node.duration_at_least("interval", config.interval, kMinimumInterval);
  config.settle = node.duration_or("settle", config.settle);
  config.statement_timeout =
      node.duration_at_least("statement_timeout", config.statement_timeout, kMinimumInterval);
  ConfigNode tables = node.child("tables");
  if (!tables.is_sequence() || tables.items().empty())
    tables.fail("expected a list of tables to check");
  for (const auto& table : tables.items()) config.tables.push_back(parse_table(table));
  return config;
}

nlohmann::json describe(const ConsistencyConfig& config) {
  nlohmann::json tables = nlohmann::json::array();
  for (const auto& t : config.tables) {
    nlohmann::json table = {{"source", t.source},
                            {"target", t.target},
                            {"key", t.key},
                            {"window", format_duration(t.window)},
                            {"checks", t.checks}};
    if (t.updated_at) table["updated_at"] = *t.updated_at;
    tables.push_back(table);
  }
  return {{"name", config.name},
          {"postgres", config.postgres},
          {"warehouse", config.warehouse},
          {"interval", format_duration(config.interval)},
          {"settle", format_duration(config.settle)},
          {"statement_timeout", format_duration(config.statement_timeout)},
          {"tables", tables}};
}

}  // namespace cdcwatch
