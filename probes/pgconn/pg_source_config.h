// A `postgres:` entry: one source database. The slot probe, the canary writer and the
// consistency checks all connect with these settings.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "agent/core/config_node.h"
#include "agent/core/secrets.h"
#include "agent/core/units.h"

namespace cdcwatch {

struct PgSourceConfig {
  std::string name;                    // the `source` label
  SecretString dsn;                    // libpq conninfo or URI, secrets resolved
  std::vector<std::string> slots;      // empty: every logical slot
  std::optional<Millis> interval;      // overrides agent.interval
  std::optional<uint64_t> wal_budget;  // bytes of WAL the disk can afford to retain
  Millis connect_timeout{5000};
  Millis statement_timeout{5000};
  Millis growth_window{300000};  // sliding window for WAL growth and lag-in-seconds history
};

PgSourceConfig parse_pg_source(const ConfigNode& node);
nlohmann::json describe(const PgSourceConfig& config);

}  // namespace cdcwatch
