// A slot's series that need no history, from one decoded row. Pure: rows in, readings out.
#pragma once

#include <nlohmann/json.hpp>

#include "agent/core/readings.h"
#include "probes/pg_slots/growth_cause.h"
#include "probes/pg_slots/slot_continuity.h"
#include "probes/pg_slots/slot_row.h"

namespace cdcwatch {

struct SlotOutput {
  const Labels& labels;  // source, slot
  Readings& readings;
  nlohmann::json& status;
};

// active (with plugin, database), retained and confirmed-flush distances, safe_wal_size,
// wal_status, catalog_xmin age.
void report_positions(const SlotRow& row, SlotOutput out);
// pg_stat_replication_slots' counters (14+).
void report_statistics(const SlotRow& row, SlotOutput out);
// The slot's walsender in pg_stat_replication: lag per kind and state.
void report_walsender(const SlotRow& row, SlotOutput out);
// conflicting (16+), invalidated with its reason, failover and synced (17+).
void report_validity(const SlotRow& row, SlotOutput out);
// `cause`: this cycle's judgement; `retained_cause`: the last cause other than none, which the
// retained WAL (and the pages on it) carry, so a page keeps its cause while growth pauses or the
// slot drains instead of reopening as another incident.
void report_growth_cause(WalGrowthCause cause, WalGrowthCause retained_cause,
                         std::optional<double> retained, SlotOutput out);
void report_unread(const UnreadRange& range, SlotOutput out);

// The reason a slot is invalidated: invalidation_reason on 17+, else wal_removed for
// wal_status lost and conflict for conflicting (16); nullopt while valid.
std::optional<std::string> invalidation_reason(const SlotRow& row);

}  // namespace cdcwatch
