// Reads the newest canary row of one agent from a warehouse. Implementations: Snowflake's SQL
// API and any Postgres-protocol warehouse through libpq.
#pragma once

#include <optional>
#include <string>

#include "agent/core/clock.h"

namespace cdcwatch {

struct WarehouseRow {
  int64_t seq = 0;
  double written_at = 0;  // unix seconds, the source database's clock
};

struct WarehouseRead {
  std::optional<WarehouseRow> row;  // nullopt with an empty error: no row for the agent yet
  std::string error_reason;         // empty on success: auth, query, http, timeout, ...
  std::string error_message;        // what, where, what to do; never a secret
  bool ok() const { return error_reason.empty(); }
};

class WarehouseReader {
 public:
  virtual ~WarehouseReader() = default;
  virtual WarehouseRead newest(const std::string& agent_id, TimePoint deadline,
                               const Clock& clock) = 0;
  virtual void cancel() {}
};

}  // namespace cdcwatch
