// The replication-slot probe: how much WAL each logical slot of one PostgreSQL source holds back,
// how fast that grows, and how long until the slot is invalidated or the disk budget is used.
// One read-only query per cycle over one persistent connection. See README.md.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "agent/core/probe.h"
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

 private:
  struct SlotState {
    GrowthWindow retained_growth;
    std::optional<TimePoint> inactive_since;
  };
  void report_slot(const PgResult& result, size_t row, SlotState& state, TimePoint now,
                   CollectOutcome& outcome);

  PgSourceConfig config_;
  Millis interval_;
  PgConnection connection_;
  WalHistory wal_history_;
  std::map<std::string, SlotState> slots_;
};

std::unique_ptr<Probe> make_pg_slots_probe(const PgSourceConfig& config, Millis default_interval);

// The slot filter as a PostgreSQL text[] literal: {"a","b"} with quotes and backslashes escaped.
std::string text_array_literal(const std::vector<std::string>& values);

}  // namespace cdcwatch
