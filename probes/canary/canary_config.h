// A `canaries:` entry: a row written to a source table on a schedule and watched as it arrives in
// Kafka (Debezium change events) and in the warehouse (Snowflake SQL API or a Postgres-protocol
// warehouse). References `postgres:` and `kafka:` entries by name.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "agent/core/config_node.h"
#include "agent/core/secrets.h"
#include "agent/core/units.h"

namespace cdcwatch {

struct SnowflakeConfig {
  std::string account;           // MYORG-MYACCOUNT or a locator such as xy12345.us-east-1
  std::string user;
  std::string private_key_file;  // PKCS#8 PEM, unencrypted
  std::string role;
  std::string warehouse;
  std::string table;             // DATABASE.SCHEMA.TABLE
  std::string url;               // default https://<account>.snowflakecomputing.com
  Millis timeout{30000};         // one statement, including polling a 202
};

struct PgWarehouseConfig {
  SecretString dsn;
  std::string table;
};

struct WarehouseConfig {
  std::optional<SnowflakeConfig> snowflake;
  std::optional<PgWarehouseConfig> postgres;
  std::optional<Millis> poll_interval;  // default: the canary's interval
};

struct CanaryConfig {
  std::string name;      // the `canary` label
  std::string postgres;  // a postgres entry
  std::string table = "public.cdcwatch_canary";
  Millis interval{10000};
  std::string mode = "write";  // write: upsert a row each interval; observe: a heartbeat writes it
  bool create_table = false;
  std::string agent_id;  // the row's key; default: the host name
  std::optional<std::string> kafka;  // a kafka entry
  std::string topic;
  std::optional<WarehouseConfig> warehouse;
  Millis max_clock_skew{2000};  // agent vs database clock beyond this is reported
};

CanaryConfig parse_canary(const ConfigNode& node);
nlohmann::json describe(const CanaryConfig& config);
// schema.table or table, each part an identifier; false for anything needing quoting.
bool is_plain_table_name(const std::string& name);

}  // namespace cdcwatch
