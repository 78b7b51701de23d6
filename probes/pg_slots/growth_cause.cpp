#include "probes/pg_slots/growth_cause.h"

namespace cdcwatch {

const char* to_string(WalGrowthCause cause) {
  switch (cause) {
    case WalGrowthCause::kNone:
      return "none";
    case WalGrowthCause::kConsumerDown:
      return "consumer_down";
    case WalGrowthCause::kLongTransaction:
      return "long_transaction";
    case WalGrowthCause::kLargeTransactions:
      return "large_transactions";
    case WalGrowthCause::kIdleDatabase:
      return "idle_database";
    case WalGrowthCause::kConsumerBehind:
      return "consumer_behind";
  }
  return "none";
}

std::optional<WalGrowthCause> parse_wal_growth_cause(std::string_view name) {
  for (WalGrowthCause cause : kAllWalGrowthCauses) {
    if (name == to_string(cause)) return cause;
  }
  return std::nullopt;
}

namespace {

bool growing(const GrowthEvidence& e) {
  return e.growth_bytes_per_second && *e.growth_bytes_per_second > 0;
}
bool spilled(const GrowthEvidence& e) {
  return e.spilled_bytes_in_window && *e.spilled_bytes_in_window > 0;
}
bool database_idle(const GrowthEvidence& e) {
  return e.database_rows_changed_in_window && *e.database_rows_changed_in_window == 0;
}
bool confirmed_far_behind(const GrowthEvidence& e) {
  return e.confirmed_flush_lag_seconds && *e.confirmed_flush_lag_seconds > kBehindAfterSeconds;
}

}  // namespace

WalGrowthCause wal_growth_cause(const GrowthEvidence& e) {
  if (!growing(e)) return WalGrowthCause::kNone;
  if (!e.active) return WalGrowthCause::kConsumerDown;
  if (e.held_by_open_transaction) return WalGrowthCause::kLongTransaction;
  if (spilled(e)) return WalGrowthCause::kLargeTransactions;
  if (database_idle(e)) return WalGrowthCause::kIdleDatabase;
  if (confirmed_far_behind(e)) return WalGrowthCause::kConsumerBehind;
  return WalGrowthCause::kNone;
}

}  // namespace cdcwatch
