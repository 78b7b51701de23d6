#include "probes/pg_slots/wal_forecast.h"

#include <algorithm>

namespace cdcwatch {

void GrowthWindow::record(TimePoint at, double value) {
  points_.push_back({at, value});
  while (points_.size() > 2 && at - points_.front().at > window_) points_.pop_front();
}

std::optional<double> GrowthWindow::rate_per_second() const {
  if (points_.size() < 2 || seconds_between(points_.front().at, points_.back().at) < 1.0) {
    return std::nullopt;
  }
  // Times relative to the first point keep the sums well conditioned.
  double n = 0, sum_t = 0, sum_v = 0, sum_tt = 0, sum_tv = 0;
  for (const auto& point : points_) {
    double t = seconds_between(points_.front().at, point.at);
    n += 1;
    sum_t += t;
    sum_v += point.value;
    sum_tt += t * t;
    sum_tv += t * point.value;
  }
  double denominator = n * sum_tt - sum_t * sum_t;
  if (denominator <= 0) return std::nullopt;
  return (n * sum_tv - sum_t * sum_v) / denominator;
}

std::optional<double> GrowthWindow::increase() const {
  if (points_.size() < 2) return std::nullopt;
  double rise = points_.back().value - points_.front().value;
  if (rise < 0) return std::nullopt;
  return rise;
}

std::optional<double> seconds_until_exhaustion(const ExhaustionInputs& inputs) {
  if (inputs.growth_bytes_per_second <= 0) return std::nullopt;
  std::optional<double> soonest;
  auto consider = [&](double bytes_left) {
    double seconds = std::max(0.0, bytes_left) / inputs.growth_bytes_per_second;
    soonest = soonest ? std::min(*soonest, seconds) : seconds;
  };
  if (inputs.safe_wal_size_bytes) consider(*inputs.safe_wal_size_bytes);
  if (inputs.wal_budget_bytes) consider(*inputs.wal_budget_bytes - inputs.retained_bytes);
  return soonest;
}

}  // namespace cdcwatch
