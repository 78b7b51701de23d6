// The replication-slot probe: how much WAL each logical slot of one PostgreSQL source holds back,
// why it grows, how long until the slot is invalidated or the disk budget is used, and whether a
// slot lost changes (recreated, moved backwards, invalidated). One read-only statement per cycle,
// built for the server's version, over one persistent connection. See README.md.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "agent/core/probe.h"
#include "probes/pg_slots/growth_cause.h"
#include "probes/pg_slots/slot_continuity.h"
#include "probes/pg_slots/slot_query.h"
#include "probes/pg_slots/slot_report.h"
#include "probes/pg_slots/slot_row.h"
#include "probes/pg_slots/wal_forecast.h"
#include "probes/pg_slots/wal_history.h"
#include "probes/pgconn/pg_connection.h"
#include "probes/pgconn/pg_source_config.h"

namespace cdcwatch {

class PgSlotsProbe final : public Probe {
 public:
  PgSlotsProbe(PgSourceConfig config, Millis default_interval = Millis(15000));

  std::string name() const override { return "pg_slots/" + config_.name; }
  Millis interval() const override { return interval_; }
  CollectOutcome collect(const CollectContext& ctx) override;
  void stop() override { connection_.cancel(); }
  // Last positions per slot (also of slots that vanished), growth windows, inactive-since and
  // unread ranges still being reported, and the server's WAL history: see slot_state_json.cpp.
  nlohmann::json save_state() const override;
  void restore_state(const nlohmann::json& state) override;

 private:
  struct UnreadReport {
    UnreadRange range;
    TimePoint detected_at;
  };
  struct SlotState {
    explicit SlotState(Millis window)
        : retained_growth(window), spilled_bytes(window), database_rows_changed(window) {}
    GrowthWindow retained_growth;
    GrowthWindow spilled_bytes;
    GrowthWindow database_rows_changed;
    std::optional<TimePoint> inactive_since;
    WalGrowthCause retained_cause = WalGrowthCause::kNone;  // the last cause other than none
    std::optional<SlotSighting> last_sighting;
    std::optional<TimePoint> vanished_at;  // set while the slot is missing from the server
    std::optional<UnreadReport> unread;
  };

  struct Failure {
    std::string reason;  // connect, query, unsupported_version
    std::string message;
  };
  Failure failure(const std::string& error) const;
  // Picks the statement for the server's version once per connection, then runs it.
  std::optional<Failure> run_query(PgResult& result);
  void report_source(const SourceRow& source, TimePoint now, CollectOutcome& outcome);
  SlotState& state_for(const SlotRow& row);
  void check_continuity(const SlotRow& row, const SourceRow& source, SlotState& state,
                        TimePoint now);
  void report_slot(const SlotRow& row, const SourceRow& source, SlotState& state, TimePoint now,
                   CollectOutcome& outcome);
  void update_inactive_since(const SlotRow& row, SlotState& state, TimePoint now);
  void report_growth(const SlotRow& row, SlotState& state, std::optional<double> lag_seconds,
                     TimePoint now, SlotOutput out);
  void forget_vanished(const std::map<std::string, bool>& seen, TimePoint now);

  PgSourceConfig config_;
  Millis interval_;
  PgConnection connection_;
  std::optional<SlotQuery> query_;
  WalHistory wal_history_;
  std::map<std::string, SlotState> slots_;
};

std::unique_ptr<Probe> make_pg_slots_probe(const PgSourceConfig& config, Millis default_interval);

// The slot filter as a PostgreSQL text[] literal: {"a","b"} with quotes and backslashes escaped.
std::string text_array_literal(const std::vector<std::string>& values);

}  // namespace cdcwatch
