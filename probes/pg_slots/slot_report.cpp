#include "probes/pg_slots/slot_report.h"

#include "probes/pg_slots/slot_metrics.h"

namespace cdcwatch {

using namespace slot_metrics;

namespace {

constexpr const char* kWalStatuses[] = {"reserved", "extended", "unreserved", "lost"};
// pg_stat_replication.state: https://www.postgresql.org/docs/15/monitoring-stats.html
constexpr const char* kWalsenderStates[] = {"startup", "catchup", "streaming", "backup",
                                            "stopping"};

Labels with(const Labels& labels, const char* name, std::string value) {
  Labels out = labels;
  out.emplace_back(name, std::move(value));
  return out;
}

void one_hot(const MetricDef& def, const Labels& labels, const char* label,
             const std::string& current, const auto& values, Readings& readings) {
  for (const char* value : values) {
    readings.set(def, with(labels, label, value), current == value ? 1 : 0);
  }
}

void set_optional(const MetricDef& def, const Labels& labels, std::optional<double> value,
                  Readings& readings) {
  if (value) readings.set(def, labels, *value);
}

}  // namespace

void report_positions(const SlotRow& row, SlotOutput out) {
  Labels described = with(with(out.labels, "plugin", row.plugin), "database", row.database);
  out.readings.set(kActive, described, row.active ? 1 : 0);
  out.status["active"] = row.active;
  set_optional(kRetained, out.labels, row.retained_bytes, out.readings);
  if (row.retained_bytes) out.status["retained_wal_bytes"] = *row.retained_bytes;
  set_optional(kFlushLagBytes, out.labels, row.flush_lag_bytes, out.readings);
  if (row.flush_lag_bytes) out.status["confirmed_flush_lag_bytes"] = *row.flush_lag_bytes;
  if (row.confirmed_flush_bytes) {
    out.status["confirmed_flush_lsn"] = format_lsn(*row.confirmed_flush_bytes);
  }
  set_optional(kSafeWalSize, out.labels, row.safe_wal_size, out.readings);
  if (row.wal_status) {
    one_hot(kWalStatus, out.labels, "status", *row.wal_status, kWalStatuses, out.readings);
    out.status["wal_status"] = *row.wal_status;
  }
  set_optional(kCatalogXminAge, out.labels, row.catalog_xmin_age, out.readings);
  out.status["held_by_open_transaction"] = row.held_by_transaction;
}

void report_statistics(const SlotRow& row, SlotOutput out) {
  set_optional(kSpilledBytes, out.labels, row.spill_bytes, out.readings);
  set_optional(kSpilledTransactions, out.labels, row.spill_txns, out.readings);
  set_optional(kStreamedBytes, out.labels, row.stream_bytes, out.readings);
  set_optional(kDecodedBytes, out.labels, row.total_bytes, out.readings);
  if (row.spill_bytes) out.status["spilled_bytes"] = *row.spill_bytes;
}

void report_walsender(const SlotRow& row, SlotOutput out) {
  if (!row.walsender) return;
  const WalsenderRow& sender = *row.walsender;
  set_optional(kWalsenderLag, with(out.labels, "kind", "write"), sender.write_lag_seconds,
               out.readings);
  set_optional(kWalsenderLag, with(out.labels, "kind", "flush"), sender.flush_lag_seconds,
               out.readings);
  set_optional(kWalsenderLag, with(out.labels, "kind", "replay"), sender.replay_lag_seconds,
               out.readings);
  one_hot(kWalsenderState, out.labels, "state", sender.state, kWalsenderStates, out.readings);
  out.status["walsender_state"] = sender.state;
}

std::optional<std::string> invalidation_reason(const SlotRow& row) {
  if (row.invalidation_reason) return row.invalidation_reason;
  bool knows_reasons = row.failover.has_value();  // 17+: a NULL reason means valid
  if (knows_reasons) return std::nullopt;
  if (row.wal_status == "lost") return "wal_removed";
  if (row.conflicting.value_or(false)) return "conflict";
  return std::nullopt;
}

void report_validity(const SlotRow& row, SlotOutput out) {
  if (row.conflicting) out.readings.set(kConflicting, out.labels, *row.conflicting ? 1 : 0);
  auto reason = invalidation_reason(row);
  out.readings.set(kInvalidated, with(out.labels, "reason", reason.value_or("none")),
                   reason ? 1 : 0);
  if (reason) out.status["invalidation_reason"] = *reason;
  if (row.failover) out.readings.set(kFailover, out.labels, *row.failover ? 1 : 0);
  if (row.synced) out.readings.set(kSynced, out.labels, *row.synced ? 1 : 0);
}

void report_growth_cause(WalGrowthCause cause, WalGrowthCause retained_cause,
                         std::optional<double> retained, SlotOutput out) {
  for (WalGrowthCause each : kAllWalGrowthCauses) {
    out.readings.set(kGrowthCause, with(out.labels, "cause", to_string(each)),
                     each == cause ? 1 : 0);
  }
  if (retained) {
    out.readings.set(kRetainedByCause, with(out.labels, "cause", to_string(retained_cause)),
                     *retained);
  }
  out.status["wal_growth_cause"] = to_string(cause);
  out.status["retained_wal_cause"] = to_string(retained_cause);
}

void report_unread(const UnreadRange& range, SlotOutput out) {
  Labels labels = with(with(with(out.labels, "from_lsn", format_lsn(range.from_bytes)), "to_lsn",
                            format_lsn(range.to_bytes)),
                       "cause", to_string(range.cause));
  out.readings.set(kUnreadWal, labels, range.to_bytes - range.from_bytes);
  out.status["unread"] = {{"from_lsn", format_lsn(range.from_bytes)},
                          {"to_lsn", format_lsn(range.to_bytes)},
                          {"bytes", range.to_bytes - range.from_bytes},
                          {"cause", to_string(range.cause)}};
}

}  // namespace cdcwatch
