#include "probes/pg_slots/slot_row.h"

#include <cstdlib>

namespace cdcwatch {
namespace {

std::optional<double> number(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  char* end = nullptr;
  double value = std::strtod(text->c_str(), &end);
  if (end == text->c_str()) return std::nullopt;
  return value;
}

std::optional<bool> boolean(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  return *text == "t";
}

class Row {
 public:
  Row(const PgResult& result, size_t row) : result_(result), row_(row) {}
  const std::optional<std::string>& text(const char* column) const {
    return result_.at(row_, column);
  }
  std::optional<double> number_at(const char* column) const { return number(text(column)); }
  std::optional<bool> bool_at(const char* column) const { return boolean(text(column)); }

 private:
  const PgResult& result_;
  size_t row_;
};

std::optional<WalsenderRow> decode_walsender(const Row& row) {
  auto state = row.text("walsender_state");
  if (!state) return std::nullopt;
  return WalsenderRow{*state, row.number_at("walsender_write_lag_seconds"),
                      row.number_at("walsender_flush_lag_seconds"),
                      row.number_at("walsender_replay_lag_seconds")};
}

SlotRow decode_slot(const Row& row) {
  SlotRow slot;
  slot.slot_name = *row.text("slot_name");
  slot.plugin = row.text("plugin").value_or("");
  slot.database = row.text("database").value_or("");
  slot.active = row.bool_at("active").value_or(false);
  slot.wal_status = row.text("wal_status");
  slot.retained_bytes = row.number_at("retained_bytes");
  slot.flush_lag_bytes = row.number_at("flush_lag_bytes");
  slot.confirmed_flush_bytes = row.number_at("confirmed_flush_bytes");
  slot.restart_bytes = row.number_at("restart_bytes");
  slot.safe_wal_size = row.number_at("safe_wal_size");
  slot.catalog_xmin_age = row.number_at("catalog_xmin_age");
  slot.held_by_transaction = row.bool_at("held_by_transaction").value_or(false);
  slot.walsender = decode_walsender(row);
  slot.database_rows_changed = row.number_at("database_rows_changed");
  slot.conflicting = row.bool_at("conflicting");
  slot.invalidation_reason = row.text("invalidation_reason");
  slot.inactive_since_seconds = row.number_at("inactive_since_seconds");
  slot.failover = row.bool_at("failover");
  slot.synced = row.bool_at("synced");
  slot.spill_txns = row.number_at("spill_txns");
  slot.spill_bytes = row.number_at("spill_bytes");
  slot.stream_bytes = row.number_at("stream_bytes");
  slot.total_txns = row.number_at("total_txns");
  slot.total_bytes = row.number_at("total_bytes");
  slot.stats_reset_seconds = row.number_at("stats_reset_seconds");
  return slot;
}

}  // namespace

SourceRow decode_source(const PgResult& result) {
  SourceRow source;
  if (result.rows.empty()) return source;
  Row row(result, 0);
  if (auto version = row.number_at("server_version_num")) {
    source.server_version_num = static_cast<int>(*version);
  }
  source.standby = row.bool_at("standby").value_or(false);
  source.wal_lsn_bytes = row.number_at("wal_lsn_bytes");
  source.postmaster_start_seconds = row.number_at("postmaster_start_seconds");
  if (auto age = row.number_at("oldest_xact_age_seconds")) {
    source.oldest_transaction =
        OldestTransaction{*age, row.text("oldest_xact_application_name").value_or(""),
                          row.text("oldest_xact_state").value_or(""),
                          row.bool_at("oldest_xact_has_xid").value_or(false)};
  }
  return source;
}

std::vector<SlotRow> decode_slots(const PgResult& result) {
  std::vector<SlotRow> slots;
  for (size_t i = 0; i < result.rows.size(); ++i) {
    Row row(result, i);
    if (row.text("slot_name")) slots.push_back(decode_slot(row));
  }
  return slots;
}

}  // namespace cdcwatch
