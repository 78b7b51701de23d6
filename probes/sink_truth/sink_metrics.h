// The sink-truth probe's metrics (issue #18), in one header so that rule stages (the pipeline's
// sink and warehouse hops) join on these constants. Labels: `sink`, and `topic`, `partition` for
// a partition's positions, or `pipe` for a file-based pipe. A figure cdcwatch cannot determine is
// absent, never 0; an idle, caught-up partition is 0.
#pragma once

#include "agent/core/readings.h"

namespace cdcwatch::sink_metrics {

inline constexpr MetricDef kUp{
    "cdcwatch_sink_up",
    "1 when Snowflake answered the sink's metadata query and Kafka its offsets"};
// Joins a sink to its pipeline (agent/pipeline joins on connector and kafka, as it knows them).
inline constexpr MetricDef kInfo{"cdcwatch_sink_info",
                                 "Always 1; labels name the sink's connector and kafka: entry"};
inline constexpr MetricDef kCommitted{
    "cdcwatch_sink_committed_offset",
    "The next offset the warehouse expects on the partition: the channel's offset token plus one"};
inline constexpr MetricDef kLagMessages{
    "cdcwatch_sink_lag_messages",
    "High watermark minus the warehouse's committed offset; 0 on an idle, caught-up partition"};
inline constexpr MetricDef kLagSeconds{
    "cdcwatch_sink_lag_seconds",
    "Age of the record at the warehouse's committed offset (the oldest not in the warehouse); 0 "
    "when caught up; absent when the record cannot be read"};
inline constexpr MetricDef kGroupAhead{
    "cdcwatch_sink_group_ahead_messages",
    "The connector's consumer-group committed offset minus the warehouse's, when positive (else "
    "0): records Kafka was told are done that the warehouse has not made visible"};
inline constexpr MetricDef kSecondsSinceProgress{
    "cdcwatch_sink_no_progress_seconds",
    "Seconds since the warehouse's committed offset last advanced while records wait; 0 when "
    "caught up"};
inline constexpr MetricDef kPendingFiles{
    "cdcwatch_sink_pending_files",
    "Files queued for the pipe (SYSTEM$PIPE_STATUS pendingFileCount)"};
inline constexpr MetricDef kLastIngest{
    "cdcwatch_sink_last_ingest_timestamp_seconds",
    "When the pipe last loaded a file (SYSTEM$PIPE_STATUS lastIngestedTimestamp), unix seconds"};
inline constexpr MetricDef kPipeRunning{
    "cdcwatch_sink_pipe_running",
    "1 when the pipe's executionState is RUNNING, 0 for any other state (PAUSED, STOPPED_*, "
    "STALLED_*)"};
inline constexpr MetricDef kPipeStuckSeconds{
    "cdcwatch_sink_pipe_stuck_seconds",
    "While files are pending: seconds since the pipe last loaded one (the backlog grows); 0 "
    "without pending files"};
// Per-sink aggregates, for sinks with many partitions (alert on these).
inline constexpr MetricDef kLagTotal{
    "cdcwatch_sink_lag_messages_total",
    "Sum of the sink's partition lags; absent while any partition's lag is unknown"};
inline constexpr MetricDef kLagSecondsMax{
    "cdcwatch_sink_lag_seconds_max",
    "Largest lag in seconds over the sink's partitions; absent while a lagging partition's age is "
    "unknown"};
inline constexpr MetricDef kGroupAheadTotal{
    "cdcwatch_sink_group_ahead_messages_total",
    "Sum of the group-ahead counts over the partitions where both positions are known"};
inline constexpr MetricDef kSinceProgressMax{
    "cdcwatch_sink_no_progress_max_seconds",
    "Largest seconds-since-progress over the sink's partitions"};
inline constexpr MetricDef kUnknownPartitions{
    "cdcwatch_sink_unknown_partitions",
    "Partitions of the sink's topics without a usable warehouse position (no channel, a NULL or "
    "non-numeric offset token, or one past the high watermark: a recreated topic)"};

}  // namespace cdcwatch::sink_metrics
