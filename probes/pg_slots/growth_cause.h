// Why a slot's retained WAL grows, judged from one cycle's evidence. The rules, first match wins
// (the evidence each needs is in README.md, "Why retained WAL grows"):
//   1 none               retained WAL is not growing over `growth_window` (or growth is unknown)
//   2 consumer_down      nobody streams the slot (pg_replication_slots.active is false)
//   3 long_transaction   the slot's catalog_xmin is the xid of a transaction still open: the slot
//                        cannot advance past that transaction's start however fast its consumer is
//   4 large_transactions the slot spilled decoded changes to disk within the window
//                        (pg_stat_replication_slots.spill_bytes grew; 14+)
//   5 idle_database      the consumer is connected but no row of the slot's database changed in
//                        the window (pg_stat_database): it has nothing to confirm while other
//                        databases write WAL
//   6 consumer_behind    the consumer is connected, its database changes, and its confirmed
//                        position is more than `kBehindAfter` behind the server
//   7 none               anything else: growth within a healthy consumer's confirmation step
#pragma once

#include <optional>
#include <string_view>

#include "agent/core/units.h"

namespace cdcwatch {

enum class WalGrowthCause {
  kNone,
  kConsumerDown,
  kLongTransaction,
  kLargeTransactions,
  kIdleDatabase,
  kConsumerBehind
};

inline constexpr WalGrowthCause kAllWalGrowthCauses[] = {
    WalGrowthCause::kConsumerDown,      WalGrowthCause::kConsumerBehind,
    WalGrowthCause::kLongTransaction,   WalGrowthCause::kIdleDatabase,
    WalGrowthCause::kLargeTransactions, WalGrowthCause::kNone};

// Two of Debezium's default offset flushes (offset.flush.interval.ms, 60 s): a healthy Debezium
// slot's confirmed position is never this far behind.
inline constexpr double kBehindAfterSeconds = 120;

const char* to_string(WalGrowthCause cause);
std::optional<WalGrowthCause> parse_wal_growth_cause(std::string_view name);

struct GrowthEvidence {
  std::optional<double> growth_bytes_per_second;  // over growth_window
  bool active = false;
  bool held_by_open_transaction = false;
  std::optional<double> spilled_bytes_in_window;          // nullopt before 14 or without history
  std::optional<double> database_rows_changed_in_window;  // nullopt without history
  std::optional<double> confirmed_flush_lag_seconds;
};

WalGrowthCause wal_growth_cause(const GrowthEvidence& evidence);

}  // namespace cdcwatch
