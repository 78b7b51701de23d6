// What a canary stage must not forget across a reload or a restart (issue #15, item 5): since when
// it has been watching, the newest canary it confirmed, and (Kafka stage) when recent canaries
// reached Kafka. Restored, a stage blind or still waiting after a restart keeps counting its
// freshness from where it was, so the stale page is neither reset nor delayed.
// Format (bounded): {"version": 1, "identity": "...", "watching_since": <unix s>,
//   "newest": {"seq": n, "written_at": <unix s, database clock>, "seen_at": <unix s>},
//   "arrivals": [[seq, <unix s>], ...]}
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "agent/core/clock.h"

namespace cdcwatch {

struct CanaryStageState {
  // The agent id and what the stage reads (topic, table): a state saved for another entry is
  // not taken back.
  std::string identity;
  double watching_since = 0;
  struct Newest {
    int64_t seq = 0;
    double written_at = 0;  // database clock, skew not applied
    double seen_at = 0;     // the Kafka record's timestamp, or 0
  };
  std::optional<Newest> newest;
  std::map<int64_t, double> arrivals;  // Kafka stage: seq -> record timestamp
};

// At most this many arrivals are kept: canaries in flight between Kafka and the warehouse.
inline constexpr size_t kMaxSavedArrivals = 64;

inline TimePoint from_unix_seconds(double seconds) {
  return TimePoint(
      std::chrono::duration_cast<TimePoint::duration>(std::chrono::duration<double>(seconds)));
}

nlohmann::json save_stage_state(const CanaryStageState& state);
// Null state: nullopt quietly. Malformed, another version or another identity: nullopt and a
// warning naming `probe`. Never throws.
std::optional<CanaryStageState> restore_stage_state(const nlohmann::json& saved,
                                                    const std::string& identity,
                                                    const std::string& probe);

}  // namespace cdcwatch
