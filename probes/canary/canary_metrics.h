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
inline const MetricDef kCanaryObserverUp{
    "cdcwatch_canary_observer_up",
    "1 when the stage was read on the last cycle, 0 when it could not be: its freshness then "
    "keeps counting from the last confirmed canary"};

// Seconds: from sub-second (a healthy Debezium hop) to an hour (a warehouse loading in batches or
// a pipeline catching up).
inline std::vector<double> canary_latency_buckets() {
  return {0.25, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600};
}

struct SeenCanary {
  double written_at = 0;  // on the agent's clock (skew applied)
  int64_t seq = 0;
};

// The stage's freshness, last seen sequence and observer state, and its /status part. Before any
// canary is seen the stage is at least as stale as the time cdcwatch has been watching it. A stage
// that cannot be read (`read_error` set) is not withdrawn: what is known is that nothing newer
// than the last confirmed canary has been seen, so its freshness keeps growing from there and the
// stale alerts fire or stay firing while cdcwatch is blind (issue #15, item 3).
inline nlohmann::json report_stage_freshness(Readings& readings, const Labels& stage, double now,
                                             std::optional<SeenCanary> newest,
                                             double watching_since, const std::string& not_seen,
                                             const std::string& read_error = "") {
  readings.set(kCanaryObserverUp, stage, read_error.empty() ? 1 : 0);
  nlohmann::json status = {{"observer_up", read_error.empty()}};
  if (!read_error.empty()) {
    status["observer_error"] = read_error;
    status["observer_note"] =
        "the stage cannot be read: freshness counts on from the last confirmed canary";
  }
  if (newest) {
    readings.set(kCanaryFreshness, stage, std::max(0.0, now - newest->written_at));
    readings.set(kCanaryLastSeenSeq, stage, static_cast<double>(newest->seq));
    status["last_seen_seq"] = newest->seq;
    return status;
  }
  readings.set(kCanaryFreshness, stage, std::max(0.0, now - watching_since));
  status["last_seen_seq"] = nullptr;
  status["note"] = not_seen + " yet; freshness counts from when cdcwatch started watching";
  return status;
}

}  // namespace cdcwatch
