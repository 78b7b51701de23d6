// The canary's SQL on the source database: one upsert per interval (the table keeps one row per
// agent, so it never grows and updates stay HOT), or in observe mode one read of the row a
// heartbeat (Debezium heartbeat.action.query) keeps fresh. Each call also measures the clock
// skew between the agent and the database.
#pragma once

#include <optional>
#include <string>

#include "agent/core/clock.h"
#include "probes/canary/canary_config.h"
#include "probes/pgconn/pg_connection.h"
#include "probes/pgconn/pg_source_config.h"

namespace cdcwatch {

struct CanaryWrite {
  int64_t seq = 0;
  double written_at = 0;  // unix seconds, database clock
  double clock_skew = 0;  // agent clock minus database clock, seconds
};

struct CanaryWriteResult {
  std::optional<CanaryWrite> write;
  std::string error_reason;  // "missing_table", "permission", "no_row", "query", "connect"
  std::string error_message;
};

class CanaryWriter {
 public:
  CanaryWriter(const CanaryConfig& canary, const PgSourceConfig& source);
  CanaryWriteResult write_or_read(const Clock& clock);
  void cancel() { connection_.cancel(); }

  // The statements a DBA runs to let cdcwatch write the canary (also in
  // scripts/sql/canary_table.sql).
  static std::string setup_sql(const std::string& table, const std::string& role);

 private:
  CanaryWriteResult run(const std::string& sql, const Clock& clock);

  CanaryConfig canary_;
  std::string source_name_;
  PgConnection connection_;
};

}  // namespace cdcwatch
