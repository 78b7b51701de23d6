// Whether a slot lost changes between two sightings: a slot whose changes were never read by
// anyone is silent data loss, the worst thing a CDC pipeline does. First match wins:
//   1 moved_backwards  confirmed_flush_lsn went backwards, except after a server restart that
//                      left it at or past the last restart_lsn seen (crash recovery reloads the
//                      slot from its last checkpoint and re-sends from there: duplicates, no loss)
//   2 recreated        the slot vanished (seen missing) and is back with restart_lsn beyond the
//                      last confirmed position: nothing between them was ever read
//   3 recreated        (seen or not) restart_lsn is beyond the last confirmed position and the
//                      slot's statistics (pg_stat_replication_slots, 14+) started again, while
//                      neither their stats_reset nor the server's start time changed: a new slot
//                      under the old name (PostgreSQL zeroes a created slot's statistics)
// A healthy slot's restart_lsn passes the last confirmed position seen all the time (the consumer
// confirmed more since), so that alone is never evidence.
#pragma once

#include <optional>
#include <string>

namespace cdcwatch {

struct SlotSighting {
  double confirmed_flush_bytes = 0;
  double restart_bytes = 0;
  std::optional<double> decoded_transactions;  // pg_stat_replication_slots.total_txns
  std::optional<double> stats_reset_seconds;
  std::optional<double> postmaster_start_seconds;
};

enum class UnreadCause { kMovedBackwards, kRecreated };
const char* to_string(UnreadCause cause);

struct UnreadRange {
  double from_bytes = 0;  // changes in [from, to) were never read
  double to_bytes = 0;
  UnreadCause cause = UnreadCause::kRecreated;
};

std::optional<UnreadRange> unread_range(const SlotSighting& last, bool vanished_since,
                                        const SlotSighting& now);

// An LSN as PostgreSQL writes it: "16/B374D848".
std::string format_lsn(double bytes);

}  // namespace cdcwatch
