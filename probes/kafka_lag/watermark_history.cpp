#include "probes/kafka_lag/watermark_history.h"

#include <algorithm>
#include <cmath>

namespace cdcwatch {

void WatermarkHistory::observe(int64_t offset, double unix_seconds) {
  if (!points_.empty() && offset <= points_.back().offset) {
    // Unchanged: keep the earliest time. Lower (topic recreated or truncated): start over.
    if (offset == points_.back().offset) return;
    points_.clear();
  }
  points_.push_back({offset, unix_seconds});
  if (points_.size() > capacity_) points_.erase(points_.begin());
}

std::optional<double> WatermarkHistory::produced_at(int64_t offset) const {
  if (points_.size() < 2 || offset >= points_.back().offset) return std::nullopt;
  // Point i says: records below points_[i].offset existed at points_[i].time. The record at
  // `offset` was produced between the last observation not past it and the first one past it.
  auto after = std::upper_bound(points_.begin(), points_.end(), offset,
                                [](int64_t o, const Point& p) { return o < p.offset; });
  const Point& hi = after == points_.begin() ? points_.back() : *after;
  const Point& lo = after == points_.begin() ? points_.front() : *std::prev(after);
  double rate_span = static_cast<double>(hi.offset - lo.offset);
  double fraction = static_cast<double>(offset - lo.offset) / rate_span;
  return lo.time + fraction * (hi.time - lo.time);
}

nlohmann::json WatermarkHistory::save() const {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& p : points_) out.push_back({p.offset, p.time});
  return out;
}

bool WatermarkHistory::restore(const nlohmann::json& saved) {
  if (!saved.is_array()) return false;
  std::vector<Point> points;
  for (const auto& entry : saved) {
    if (!entry.is_array() || entry.size() != 2 || !entry[0].is_number_integer() ||
        !entry[1].is_number() || !std::isfinite(entry[1].get<double>())) {
      return false;
    }
    Point point{entry[0].get<int64_t>(), entry[1].get<double>()};
    if (!points.empty() && point.offset <= points.back().offset) return false;
    points.push_back(point);
    if (points.size() > capacity_) points.erase(points.begin());
  }
  points_ = std::move(points);
  return true;
}

}  // namespace cdcwatch
