// The status of each hop of a pipeline from the readings store: one small rule per hop, reading
// the probes' series through their MetricDef constants. Rules, in hop order:
//   source     failing: cdcwatch_pg_up 0 (PostgreSQL does not answer); ok: 1;
//              unknown: no postgres: entry, or no reading yet
//   slot       failing: the slot is not on the server, or its wal_status is lost or unreserved;
//              degraded: wal_status extended, or no consumer for over 5m (Debezium holds its
//              slot all the time; CdcSlotInactive pages at 10m); ok: reported otherwise;
//              unknown: no slot or source, or the source does not answer
//   capture    failing: the connector or a task FAILED, MISSING, or stalled (connector_stall.h);
//              degraded: PAUSED, STOPPED, UNASSIGNED or RESTARTING; ok: RUNNING;
//              unknown: no capture connector, or its Connect cluster does not answer
//              freshness*: canary at Kafka older than 5m failing, than 60s degraded
//   kafka      failing: cdcwatch_kafka_up 0; ok: 1; unknown: no kafka entry or no reading
//   sink       as capture for the sink connector, and its group connect-<sink>: stop, stall or
//              error failing, warning or rewind degraded, ok ok
//   warehouse  freshness*: canary at the warehouse older than 5m failing, than 60s degraded,
//              else ok (a canary that has not arrived yet, cdcwatch_canary_last_seen_seq absent,
//              under 60s of watching is unknown: its age only counts the watching); and, with a
//              sinks: entry on the sink connector (probes/sink_truth), Snowflake's own position:
//              not moved for 5m while records wait failing, 10m behind or the group ahead of it
//              degraded, else ok; unknown: neither reading
// The 60s and 5m are the shipped CdcCanaryStale* rules' thresholds.
// (*) Freshness says data did not arrive, not where it stopped: a hop judged by freshness alone
// is `unknown` ("waiting on <hop>") while a hop upstream of it is failing (blame_upstream), so a
// PostgreSQL outage blames the source hop, not every hop after it.
// Pure functions.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "agent/core/readings_view.h"
#include "agent/pipeline/hop_status.h"
#include "agent/pipeline/pipeline_def.h"

namespace cdcwatch {

inline constexpr double kFreshnessDegradedSeconds = 60;
inline constexpr double kFreshnessFailingSeconds = 300;
inline constexpr double kSlotInactiveDegradedSeconds = 300;
inline constexpr double kSinkStalledSeconds = 300;      // CdcSinkWarehouseStalled
inline constexpr double kSinkLagDegradedSeconds = 600;  // CdcSinkWarehouseLagHigh

// `stalled`: the stall rule's verdict by "<connect>/<connector>", computed this cycle.
std::vector<HopVerdict> judge_hops(const PipelineDef& pipeline, const ReadingsView& latest,
                                   const std::map<std::string, bool>& stalled);

// Turns freshness-only verdicts downstream of a failing hop into `unknown`.
void blame_upstream(std::vector<HopVerdict>& hops);

}  // namespace cdcwatch
