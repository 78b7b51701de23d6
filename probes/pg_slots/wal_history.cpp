#include "probes/pg_slots/wal_history.h"

namespace cdcwatch {

void WalHistory::record(TimePoint at, double wal_bytes) {
  if (!points_.empty() && wal_bytes < points_.back().wal_bytes) points_.clear();
  points_.push_back({at, wal_bytes});
  while (!points_.empty() && (points_.size() > max_points_ || at - points_.front().at > keep_)) {
    points_.pop_front();
  }
}

std::optional<double> WalHistory::seconds_behind(double lsn_bytes, TimePoint now) const {
  if (points_.empty()) return std::nullopt;
  if (lsn_bytes >= points_.back().wal_bytes) return 0.0;
  if (lsn_bytes < points_.front().wal_bytes) return seconds_between(points_.front().at, now);
  // The first point past lsn_bytes, and the one before it: the server crossed lsn_bytes between.
  for (size_t i = points_.size() - 1; i > 0; --i) {
    const Point& after = points_[i];
    const Point& before = points_[i - 1];
    if (before.wal_bytes > lsn_bytes) continue;
    double span = after.wal_bytes - before.wal_bytes;
    double fraction = span > 0 ? (lsn_bytes - before.wal_bytes) / span : 1.0;
    TimePoint crossed = before.at + std::chrono::duration_cast<TimePoint::duration>(
                                        (after.at - before.at) * fraction);
    return seconds_between(crossed, now);
  }
  return seconds_between(points_.front().at, now);
}

}  // namespace cdcwatch
