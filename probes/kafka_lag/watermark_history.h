// Lag in seconds without reading records: remember when the high watermark reached each offset,
// then estimate when the record at a committed offset was produced by interpolating between the
// two observations around it (as kafka-lag-exporter does). Used where fetching the record at the
// committed offset is not permitted (no READ on the topic) or does not answer in time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

namespace cdcwatch {

class WatermarkHistory {
 public:
  explicit WatermarkHistory(size_t capacity = 60) : capacity_(capacity) {}

  // One observation: the high watermark was `offset` at `unix_seconds`. Observations of an
  // unchanged watermark keep the earliest time, so a flat stretch does not age younger records.
  void observe(int64_t offset, double unix_seconds);

  // When the record at `offset` was (about to be) produced. Offsets older than the history are
  // extrapolated along the history's overall rate; empty when fewer than two distinct offsets
  // are known or the offset is at or past the newest observation.
  std::optional<double> produced_at(int64_t offset) const;

  size_t size() const { return points_.size(); }

  // The observations as [[offset, unix seconds], ...], for keeping the history across a restart.
  nlohmann::json save() const;
  // Takes back what save() wrote (the newest `capacity` points); false, leaving the history as it
  // was, when `saved` is malformed (not pairs of numbers, offsets not increasing).
  bool restore(const nlohmann::json& saved);

 private:
  struct Point {
    int64_t offset;
    double time;
  };
  size_t capacity_;
  // Offsets strictly increasing. A vector: a deque costs 576 bytes per partition before its
  // first point, and a quiet partition keeps one point.
  std::vector<Point> points_;
};

}  // namespace cdcwatch
