// Warehouse connection settings, shared by canaries (their warehouse stage) and consistency
// checks: Snowflake through the SQL API, or any Postgres-protocol warehouse through libpq.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "agent/core/config_node.h"
#include "agent/core/secrets.h"
#include "agent/core/units.h"

namespace cdcwatch {

struct SnowflakeConfig {
  std::string account;  // MYORG-MYACCOUNT or a locator such as xy12345.us-east-1
  std::string user;
  std::string private_key_file;  // PKCS#8 PEM, unencrypted
  std::string role;
  std::string warehouse;
  std::string table;      // DATABASE.SCHEMA.TABLE (the canary's; empty on a named entry)
  std::string url;        // default https://<account>.snowflakecomputing.com
  Millis timeout{30000};  // one statement, including polling a 202
};

struct PgWarehouseConfig {
  SecretString dsn;
  std::string table;  // the canary's; empty on a named entry
};

// A warehouse: a named `warehouses:` entry, or a canary's inline `warehouse:` block.
struct WarehouseConfig {
  std::string name;  // empty when inline
  std::optional<SnowflakeConfig> snowflake;
  std::optional<PgWarehouseConfig> postgres;
  std::optional<Millis> poll_interval;  // default: the canary's interval
};

// `table_required`: a canary's inline block names its table; a `warehouses:` entry does not.
WarehouseConfig parse_warehouse(const ConfigNode& node, bool table_required);
nlohmann::json describe(const WarehouseConfig& config);
// schema.table or db.schema.table, each part an identifier; false for anything needing quoting.
bool is_plain_table_name(const std::string& name);
// The table name under `key` (or `fallback`), failing with the key's place when not plain.
std::string table_name_or(const ConfigNode& node, std::string_view key, std::string fallback);

}  // namespace cdcwatch
