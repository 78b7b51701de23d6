// One cycle's answer decoded: what the source says about itself and about each logical slot.
// A SQL NULL (or a column the server's version lacks, selected as NULL) is nullopt: absent, never
// 0.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "probes/pgconn/pg_connection.h"

namespace cdcwatch {

struct OldestTransaction {
  double age_seconds = 0;
  std::string application_name;  // never the query text
  std::string state;
  bool has_xid = false;  // only a transaction with an xid holds back a logical slot
};

struct SourceRow {
  std::optional<int> server_version_num;
  bool standby = false;
  std::optional<double> wal_lsn_bytes;
  std::optional<double> postmaster_start_seconds;
  std::optional<OldestTransaction> oldest_transaction;  // nullopt: none open
};

struct WalsenderRow {
  std::string state;
  std::optional<double> write_lag_seconds, flush_lag_seconds, replay_lag_seconds;
};

struct SlotRow {
  std::string slot_name, plugin, database;
  bool active = false;
  std::optional<std::string> wal_status;
  std::optional<double> retained_bytes, flush_lag_bytes, confirmed_flush_bytes, restart_bytes;
  std::optional<double> safe_wal_size, catalog_xmin_age;
  bool held_by_transaction = false;
  std::optional<WalsenderRow> walsender;
  std::optional<double> database_rows_changed;
  // 16+
  std::optional<bool> conflicting;
  // 17+
  std::optional<std::string> invalidation_reason;
  std::optional<double> inactive_since_seconds;
  std::optional<bool> failover, synced;
  // 14+ (pg_stat_replication_slots)
  std::optional<double> spill_txns, spill_bytes, stream_bytes, total_txns, total_bytes;
  std::optional<double> stats_reset_seconds;
};

SourceRow decode_source(const PgResult& result);
// Every row naming a slot (the LEFT JOIN's slot-less row is skipped).
std::vector<SlotRow> decode_slots(const PgResult& result);

}  // namespace cdcwatch
