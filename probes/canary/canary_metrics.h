// Metrics both canary observers report, each for its own `stage`, and the latency buckets.
#pragma once

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

}  // namespace cdcwatch
