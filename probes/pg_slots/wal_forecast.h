// Growth of a slot's retained WAL over a sliding window, and the forecast of when it exhausts
// what the server or the disk can afford. Pure arithmetic; not thread-safe.
#pragma once

#include <deque>
#include <optional>

#include "agent/core/clock.h"
#include "agent/core/units.h"

namespace cdcwatch {

class GrowthWindow {
 public:
  explicit GrowthWindow(Millis window) : window_(window) {}
  void record(TimePoint at, double value);
  // Least-squares slope in units per second over the window; nullopt until two points at least
  // one second apart exist.
  std::optional<double> rate_per_second() const;
  // How much the value rose across the window (a counter's increase); nullopt with fewer than two
  // points or when it fell (the counter was reset).
  std::optional<double> increase() const;

  struct Point {
    TimePoint at;
    double value;
  };
  const std::deque<Point>& points() const { return points_; }

 private:
  Millis window_;
  std::deque<Point> points_;
};

struct ExhaustionInputs {
  double growth_bytes_per_second = 0;
  std::optional<double> safe_wal_size_bytes;  // PostgreSQL's, NULL without max_slot_wal_keep_size
  std::optional<double> wal_budget_bytes;     // the user's disk budget
  double retained_bytes = 0;
};

// Seconds until safe_wal_size reaches zero or the budget is used, whichever comes first, at the
// current growth; nullopt when not growing or when there is no limit to reach.
std::optional<double> seconds_until_exhaustion(const ExhaustionInputs& inputs);

}  // namespace cdcwatch
