#include "probes/pg_slots/slot_query.h"

namespace cdcwatch {
namespace {

// The column lists each version documents, which these fragments follow:
//   pg_replication_slots: 13 https://www.postgresql.org/docs/13/view-pg-replication-slots.html
//     (wal_status, safe_wal_size); 16 adds `conflicting`
//     (https://www.postgresql.org/docs/16/view-pg-replication-slots.html); 17 adds
//     `inactive_since`, `invalidation_reason`, `failover`, `synced`
//     (https://www.postgresql.org/docs/17/view-pg-replication-slots.html); 18 adds `two_phase_at`
//     and the invalidation reason `idle_timeout`
//     (https://www.postgresql.org/docs/18/view-pg-replication-slots.html).
//   pg_stat_replication_slots: new in 14
//     (https://www.postgresql.org/docs/14/monitoring-stats.html#MONITORING-PG-STAT-REPLICATION-SLOTS-VIEW).
//   pg_stat_replication, pg_stat_activity, pg_stat_database: the columns read here exist in every
//     version from 13 (https://www.postgresql.org/docs/13/monitoring-stats.html); so does
//     pg_prepared_xacts.transaction
//     (https://www.postgresql.org/docs/13/view-pg-prepared-xacts.html).
// tests/probes/pg_slots_query_test.cpp checks every column read against those lists.

constexpr const char* kHead = R"sql(
WITH pos AS (
  SELECT pg_is_in_recovery() AS standby,
         CASE WHEN pg_is_in_recovery() THEN pg_last_wal_receive_lsn()
              ELSE pg_current_wal_lsn() END AS lsn
), sessions AS MATERIALIZED (
  SELECT a.application_name, a.state, a.backend_xid, a.xact_start
  FROM pg_stat_activity a
  WHERE a.xact_start IS NOT NULL AND a.backend_type = 'client backend'
    AND a.pid <> pg_backend_pid()
), oldest AS (
  SELECT application_name, state, backend_xid IS NOT NULL AS has_xid,
         extract(epoch FROM now() - xact_start) AS age_seconds
  FROM sessions ORDER BY xact_start LIMIT 1
)
SELECT current_setting('server_version_num')::int AS server_version_num,
       pos.standby,
       pg_wal_lsn_diff(pos.lsn, '0/0') AS wal_lsn_bytes,
       extract(epoch FROM pg_postmaster_start_time()) AS postmaster_start_seconds,
       o.age_seconds AS oldest_xact_age_seconds,
       o.application_name AS oldest_xact_application_name,
       o.state AS oldest_xact_state,
       o.has_xid AS oldest_xact_has_xid,
       s.slot_name, s.plugin, s.database, s.active, s.wal_status,
       pg_wal_lsn_diff(pos.lsn, s.restart_lsn) AS retained_bytes,
       pg_wal_lsn_diff(pos.lsn, s.confirmed_flush_lsn) AS flush_lag_bytes,
       pg_wal_lsn_diff(s.confirmed_flush_lsn, '0/0') AS confirmed_flush_bytes,
       pg_wal_lsn_diff(s.restart_lsn, '0/0') AS restart_bytes,
       s.safe_wal_size,
       age(s.catalog_xmin) AS catalog_xmin_age,
       (s.catalog_xmin IN (SELECT backend_xid FROM sessions)
        OR s.catalog_xmin IN (SELECT px.transaction FROM pg_prepared_xacts px))
         AS held_by_transaction,
       r.state AS walsender_state,
       extract(epoch FROM r.write_lag) AS walsender_write_lag_seconds,
       extract(epoch FROM r.flush_lag) AS walsender_flush_lag_seconds,
       extract(epoch FROM r.replay_lag) AS walsender_replay_lag_seconds,
       d.tup_inserted + d.tup_updated + d.tup_deleted AS database_rows_changed,
)sql";

constexpr const char* kConflicting16 = "       s.conflicting,\n";
constexpr const char* kConflictingAbsent = "       NULL::boolean AS conflicting,\n";

constexpr const char* kColumns17 = R"sql(       s.invalidation_reason,
       extract(epoch FROM now() - s.inactive_since) AS inactive_since_seconds,
       s.failover, s.synced,
)sql";
constexpr const char* kColumns17Absent = R"sql(       NULL::text AS invalidation_reason,
       NULL::numeric AS inactive_since_seconds,
       NULL::boolean AS failover, NULL::boolean AS synced,
)sql";

constexpr const char* kStats14 =
    R"sql(       st.spill_txns, st.spill_bytes, st.stream_bytes, st.total_txns, st.total_bytes,
       extract(epoch FROM st.stats_reset) AS stats_reset_seconds
)sql";
constexpr const char* kStatsAbsent =
    R"sql(       NULL::bigint AS spill_txns, NULL::bigint AS spill_bytes,
       NULL::bigint AS stream_bytes, NULL::bigint AS total_txns, NULL::bigint AS total_bytes,
       NULL::numeric AS stats_reset_seconds
)sql";

// The LEFT JOIN keeps one row when there are no slots, so the WAL position is always read.
constexpr const char* kFrom = R"sql(FROM pos
LEFT JOIN oldest o ON true
LEFT JOIN pg_replication_slots s
  ON s.slot_type = 'logical'
 AND (cardinality($1::text[]) = 0 OR s.slot_name = ANY($1::text[]))
LEFT JOIN pg_stat_replication r ON r.pid = s.active_pid
LEFT JOIN pg_stat_database d ON d.datname = s.database
)sql";
constexpr const char* kJoinStats14 =
    "LEFT JOIN pg_stat_replication_slots st ON st.slot_name = s.slot_name\n";
constexpr const char* kOrder = "ORDER BY s.slot_name\n";

std::string path_for(int version) {
  if (version >= 180000) return "18";
  if (version >= 170000) return "17";
  if (version >= 160000) return "16";
  if (version >= 140000) return "14-15";
  return "13";
}

}  // namespace

std::optional<SlotQuery> build_slot_query(int server_version_num) {
  if (server_version_num < kOldestSupportedVersion) return std::nullopt;
  int version = server_version_num;
  std::string sql = kHead;
  sql += version >= 160000 ? kConflicting16 : kConflictingAbsent;
  sql += version >= 170000 ? kColumns17 : kColumns17Absent;
  sql += version >= 140000 ? kStats14 : kStatsAbsent;
  sql += kFrom;
  if (version >= 140000) sql += kJoinStats14;
  sql += kOrder;
  return SlotQuery{server_version_num, path_for(version), std::move(sql)};
}

}  // namespace cdcwatch
