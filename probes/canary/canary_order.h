// Which of two canaries is the newer, for an observer keeping the newest one seen at its stage.
// A higher sequence number is newer. A lower (or equal) one written later is newer too: the
// canary table was recreated (dropped, truncated, the row deleted) and the upsert restarted the
// sequence at 1. Without this rule the stage would wait for the old sequence to be passed again,
// paging stale all the while (issue #15, item 6). The same row read again, or an older one
// replayed, has an earlier or equal written_at and is not newer.
#pragma once

#include <cstdint>
#include <string>

namespace cdcwatch {

enum class CanaryOrder { kNotNewer, kNewer, kSequenceRestarted };

inline CanaryOrder compare_canary(int64_t seq, double written_at, int64_t newest_seq,
                                  double newest_written_at) {
  if (seq > newest_seq) return CanaryOrder::kNewer;
  if (written_at > newest_written_at) return CanaryOrder::kSequenceRestarted;
  return CanaryOrder::kNotNewer;
}

// Whether a canary replaces the newest seen; a restarted sequence is logged as `where` (the
// canary and stage) and counted in `restarts`.
bool replaces_newest(int64_t seq, double written_at, int64_t newest_seq, double newest_written_at,
                     const std::string& where, uint64_t& restarts);

}  // namespace cdcwatch
