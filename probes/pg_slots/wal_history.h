// The agent's own record of the server's WAL position over time, so that a slot's confirmed
// flush position can be turned into "how long ago was the server there" (lag in seconds).
// Not thread-safe: owned by one probe.
#pragma once

#include <deque>
#include <optional>

#include "agent/core/clock.h"
#include "agent/core/units.h"

namespace cdcwatch {

class WalHistory {
 public:
  explicit WalHistory(Millis keep = Millis(6 * 3600 * 1000), size_t max_points = 10000)
      : keep_(keep), max_points_(max_points) {}

  // Records the server's WAL position (bytes) at `at`; positions must not go backwards
  // (a restored or replaced server does: the history then starts again).
  void record(TimePoint at, double wal_bytes);
  // Seconds since the server's WAL position was at `lsn_bytes`, interpolated linearly between
  // recorded points. 0 when `lsn_bytes` is at or past the newest position. When it is older than
  // everything recorded, the age of the oldest point: a lower bound. nullopt with no history.
  std::optional<double> seconds_behind(double lsn_bytes, TimePoint now) const;
  size_t size() const { return points_.size(); }
  void clear() { points_.clear(); }

  struct Point {
    TimePoint at;
    double wal_bytes;
  };
  const std::deque<Point>& points() const { return points_; }

 private:
  Millis keep_;
  size_t max_points_;
  std::deque<Point> points_;
};

}  // namespace cdcwatch
