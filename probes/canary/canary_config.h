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
#include "probes/warehouseconn/warehouse_config.h"

namespace cdcwatch {

struct CanaryConfig {
  std::string name;      // the `canary` label
  std::string postgres;  // a postgres entry
  std::string table = "public.cdcwatch_canary";
  Millis interval{10000};
  std::string mode = "write";  // write: upsert a row each interval; observe: a heartbeat writes it
  bool create_table = false;
  std::string agent_id;              // the row's key; default: the host name
  std::optional<std::string> kafka;  // a kafka entry
  std::string topic;
  std::optional<WarehouseConfig> warehouse;   // inline, or a warehouses: entry resolved by name
  std::optional<std::string> warehouse_name;  // `warehouse: <name>`
  std::string warehouse_table;                // the canary table there, with a named warehouse
  Millis max_clock_skew{2000};                // agent vs database clock beyond this is reported
};

CanaryConfig parse_canary(const ConfigNode& node);
nlohmann::json describe(const CanaryConfig& config);

}  // namespace cdcwatch
