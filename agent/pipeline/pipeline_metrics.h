// The pipeline stage's own metrics (issue #16's names). The stage also reports the stall rule's
// cdcwatch_connector_stalled and cdcwatch_connector_source_lag_bytes
// (probes/connect/connect_metrics.h).
#pragma once

#include "agent/core/readings.h"

namespace cdcwatch::pipeline_metrics {

inline const MetricDef kHopStatus{
    "cdcwatch_pipeline_hop_status",
    "1 on the hop's current status (ok, degraded, failing, unknown); hops: source, slot, capture, "
    "kafka, sink, warehouse"};
inline const MetricDef kFreshness{
    "cdcwatch_pipeline_freshness_seconds",
    "Age of the newest canary row in the warehouse: the pipeline's end-to-end freshness; absent "
    "without a canary"};

}  // namespace cdcwatch::pipeline_metrics
