// Metrics both canary observers report, each for its own `stage`, and the latency buckets.
#pragma once

#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "agent/core/readings.h"

namespace cdcwatch {

inline const MetricDef kCanaryFreshness{
    "cdcwatch_canary_freshness_seconds",
    "Now minus written_at of the newest canary visible at the stage"};
inline const MetricDef kCanaryLatency{
    "cdcwatch_canary_latency_seconds",
    "written_at to first seen at the stage (exact at kafka; bounded by "
    "cdcwatch_canary_poll_interval_seconds at the warehouse)",
    MetricType::kHistogram};
inline const MetricDef kCanaryHopLatency{"cdcwatch_canary_hop_latency_seconds",
                                         "Latency of one hop for the newest canary: db_to_capture, "
                                         "capture_to_kafka, kafka_to_warehouse"};
inline const MetricDef kCanaryLastSeenSeq{"cdcwatch_canary_last_seen_seq",
                                          "Sequence number of the newest canary seen at the stage"};

// Seconds: from sub-second (a healthy Debezium hop) to an hour (a warehouse loading in batches or
// a pipeline catching up).
inline std::vector<double> canary_latency_buckets() {
  return {0.25, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600};
}

struct SeenCanary {
  double written_at = 0;  // on the agent's clock (skew applied)
  int64_t seq = 0;
};

// The stage's freshness and last seen sequence, and its /status part. Before any canary is seen
// the stage is at least as stale as the time cdcwatch has been watching it.
inline nlohmann::json report_stage_freshness(Readings& readings, const Labels& stage, double now,
                                             std::optional<SeenCanary> newest,
                                             double watching_since, const std::string& not_seen) {
  if (newest) {
    readings.set(kCanaryFreshness, stage, std::max(0.0, now - newest->written_at));
    readings.set(kCanaryLastSeenSeq, stage, static_cast<double>(newest->seq));
    return {{"last_seen_seq", newest->seq}};
  }
  readings.set(kCanaryFreshness, stage, std::max(0.0, now - watching_since));
  return {{"last_seen_seq", nullptr},
          {"note", not_seen + " yet; freshness counts from when cdcwatch started watching"}};
}

}  // namespace cdcwatch
