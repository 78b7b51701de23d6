// A `consistency:` entry: scheduled checks of source tables against their warehouse copies.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agent/core/config_node.h"
#include "agent/core/units.h"

namespace cdcwatch {

struct TableCheckConfig {
  std::string source;                     // schema.table on the source
  std::string target;                     // [database.]schema.table in the warehouse
  std::vector<std::string> key;           // primary key columns
  std::optional<std::string> updated_at;  // enables windowed counts and the settle margin
  Millis window{86400000};
  std::set<std::string> checks = {"schema", "duplicates", "row_count"};
};

struct ConsistencyConfig {
  std::string name;       // the `check` label
  std::string postgres;   // a postgres: entry (a standby keeps the load off the primary)
  std::string warehouse;  // a warehouses: entry
  Millis interval{900000};
  Millis settle{600000};  // rows changed more recently are still in flight
  Millis statement_timeout{60000};
  std::vector<TableCheckConfig> tables;
};

ConsistencyConfig parse_consistency(const ConfigNode& node);
nlohmann::json describe(const ConsistencyConfig& config);

}  // namespace cdcwatch
