// Burrow-style status of one consumer-group partition over a sliding window of observations, one
// per probe cycle. Kafka's OffsetFetch does not say when a group last committed, only what, so
// "commits stopped" is judged by the committed offset not changing. The rules, in the order they
// are applied (README.md says where each differs from Burrow's evaluator and why):
//   1 lag_now             no lag in the latest observation: never stop, stall or warning
//   2 offsets_stopped     stop:    no offset change and no observation with lag 0 for longer
//                                  than `stop_after`
//   3 caught_up_in_window a window with an observation of lag 0 is not judged by rules 4 and 6
//   4 offsets_stalled     stall:   a full window, lag in every observation, offset never moved
//   5 offsets_rewound     rewind:  the committed offset went backwards within the window
//   6 lag_growing         warning: a full window, the offset moves but lag never fell and grew
//   otherwise             ok
// A group's status is its worst partition's (error > stop > stall > rewind > warning > ok).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

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
  // Whether the latest observation had lag.
  bool lagging() const { return !window_.empty() && window_.back().lag > 0; }
  // The latest observation with lag 0.
  std::optional<TimePoint> caught_up_at() const { return caught_up_at_; }

  // The window and both clocks, for keeping detection across a restart (bounded by `size`).
  nlohmann::json save() const;
  // Takes back what save() wrote; false, leaving the window as it was, when `saved` is malformed.
  bool restore(const nlohmann::json& saved);

  // Offsets are never negative, so "no commit" needs no std::optional, and no rule looks at when
  // an older observation was made: 16 bytes an observation, not 32 (ten per partition and group).
  static constexpr int64_t kNoCommit = -1;
  struct Observation {
    int64_t committed;  // kNoCommit: the group has no commit here
    int64_t lag;
  };

 private:
  bool offsets_stopped() const;
  bool caught_up_in_window() const;
  bool offsets_stalled() const;
  bool offsets_rewound() const;
  bool lag_growing() const;
  bool full() const { return window_.size() >= size_; }

  size_t size_;
  Millis stop_after_;
  // Oldest first; a vector reserved to `size_` (a deque costs 576 bytes before its first
  // observation, per partition and group).
  std::vector<Observation> window_;
  TimePoint last_at_{};  // of the latest observation
  std::optional<TimePoint> offset_changed_at_;
  std::optional<TimePoint> caught_up_at_;
};

}  // namespace cdcwatch
