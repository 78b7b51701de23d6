// Burrow-style status of one consumer-group partition over a sliding window of observations.
// Kafka's OffsetFetch does not say when a group last committed, only what, so "commits stopped"
// is judged by the committed offset not changing:
//   rewind  the committed offset went backwards within the window (a replay: expect duplicates)
//   stop    lag > 0 and the committed offset has not changed for longer than `stop_after`
//   stall   lag > 0 and the committed offset is the same in every observation of a full window
//   warning the offset moves, but lag grew across the whole (full) window
//   ok      anything else, including a partition with no lag
// A group's status is its worst partition's (error > stop > stall > rewind > warning > ok).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include "agent/core/clock.h"
#include "agent/core/units.h"

namespace cdcwatch {

enum class ConsumerStatus { kOk, kWarning, kRewind, kStall, kStop, kError };

inline constexpr ConsumerStatus kAllConsumerStatuses[] = {
    ConsumerStatus::kOk,   ConsumerStatus::kWarning, ConsumerStatus::kStall,
    ConsumerStatus::kStop, ConsumerStatus::kRewind,  ConsumerStatus::kError};

const char* to_string(ConsumerStatus status);
// The more severe of the two, for a group's status.
ConsumerStatus worst(ConsumerStatus a, ConsumerStatus b);

class PartitionWindow {
 public:
  PartitionWindow(size_t size, Millis stop_after) : size_(size), stop_after_(stop_after) {}

  // One observation per cycle; `committed` is empty when the group has no commit here.
  void observe(TimePoint at, std::optional<int64_t> committed, int64_t lag);
  ConsumerStatus status() const;
  // When the committed offset last changed (or was first seen).
  std::optional<TimePoint> offset_changed_at() const { return offset_changed_at_; }

 private:
  struct Observation {
    TimePoint at;
    std::optional<int64_t> committed;
    int64_t lag;
  };
  size_t size_;
  Millis stop_after_;
  std::deque<Observation> window_;
  std::optional<TimePoint> offset_changed_at_;
};

}  // namespace cdcwatch
