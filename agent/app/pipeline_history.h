// The last hour of each pipeline's end-to-end freshness and of each hop's key reading, for the
// pipeline page's sparklines (GET /api/pipelines/history). Fed with every publication of the
// pipeline stage (PipelineBoard), kept in memory only (a restart starts it empty).
//
// Bounded: one sample per series every `step` (publications in between are skipped), at most
// span/step samples per series (360 for an hour at 10 s), at most kMaxPipelines pipelines (later
// ones are not recorded), and a pipeline absent from the stage's output for a whole span is
// forgotten. A sample is 24 bytes (time and an optional value), a pipeline has seven series
// (freshness and six hops): about 60 KB per pipeline, at most about 3 MB. An unknown value (no
// canary, a hop without a reading) is kept as null, never as 0. Thread-safe.
#pragma once

#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "agent/core/clock.h"

namespace cdcwatch {

class PipelineHistory {
 public:
  static constexpr size_t kMaxPipelines = 50;

  explicit PipelineHistory(std::chrono::seconds span = std::chrono::hours(1),
                           std::chrono::seconds step = std::chrono::seconds(10));

  // `pipelines`: the stage's array, as GET /api/pipelines has it.
  void record(TimePoint now, const nlohmann::json& pipelines);
  // {"span_seconds", "step_seconds", "pipelines": {name: {"freshness": series,
  //  "hops": {hop: series}}}}, a series being {"unit", "points": [[unix seconds, value|null]...]}.
  nlohmann::json json() const;

 private:
  struct Series {
    std::string unit;
    std::deque<std::pair<TimePoint, std::optional<double>>> points;
  };
  struct Pipeline {
    TimePoint last_seen;
    Series freshness;
    std::map<std::string, Series> hops;
  };
  void add(Series& series, TimePoint now, std::optional<double> value, std::string unit);
  void forget_old(TimePoint now);

  const std::chrono::seconds span_;
  const std::chrono::seconds step_;
  const size_t capacity_;
  mutable std::mutex mutex_;
  std::optional<TimePoint> last_sample_;
  std::map<std::string, Pipeline> pipelines_;
};

}  // namespace cdcwatch
