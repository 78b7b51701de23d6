// The consumer-lag probe's metrics, in one header so that other probes and rule stages join on
// these constants rather than on metric-name strings (see README.md for each one's meaning).
#pragma once

#include "agent/core/readings.h"

namespace cdcwatch::kafka_lag_metrics {

inline constexpr MetricDef kUp{"cdcwatch_kafka_up",
                               "1 when the cluster answered metadata and offset requests"};
inline constexpr MetricDef kLagMessages{
    "cdcwatch_kafka_consumer_lag_messages",
    "High watermark minus committed offset (minus low watermark when the group has no commit on "
    "the partition)"};
inline constexpr MetricDef kLagSeconds{
    "cdcwatch_kafka_consumer_lag_seconds",
    "Age of the oldest unconsumed record: now minus the timestamp of the record at the committed "
    "offset; 0 without lag; absent when that age cannot be determined"};
inline constexpr MetricDef kCommitted{
    "cdcwatch_kafka_committed_offset",
    "The group's committed offset (the next record it will read)"};
inline constexpr MetricDef kHighWatermark{"cdcwatch_kafka_high_watermark",
                                          "Offset the next produced record will get"};
inline constexpr MetricDef kNoCommit{"cdcwatch_kafka_partition_no_commit",
                                     "1 when the group has no committed offset on the partition"};
inline constexpr MetricDef kGroupLag{"cdcwatch_kafka_consumer_group_lag_messages",
                                     "Sum of the group's lag over its partitions"};
inline constexpr MetricDef kGroupMaxLagSeconds{
    "cdcwatch_kafka_consumer_group_max_lag_seconds",
    "Largest lag in seconds over the group's partitions; absent while a lagging partition's age "
    "cannot be determined"};
inline constexpr MetricDef kGroupCommittedOffsets{
    "cdcwatch_kafka_consumer_group_committed_offsets",
    "Sum of the group's committed offsets: it rises whenever the group commits progress (the "
    "sink progress signal of the pipeline stage's stall rule)"};
// Kept so that queries of the old series cdcwatch_kafka_consumer_group_committed_offset_sum still
// work. It was a gauge, which Prometheus' linter refuses under a _sum name; as a summary (what a
// _sum suffix means) the same series passes `promtool check metrics`, beside its _count.
inline constexpr MetricDef kGroupCommittedSumDeprecated{
    "cdcwatch_kafka_consumer_group_committed_offset",
    "Deprecated: _sum is cdcwatch_kafka_consumer_group_committed_offsets under its old name, "
    "_count the partitions summed",
    MetricType::kSummary};
inline constexpr MetricDef kTopicLag{"cdcwatch_kafka_consumer_topic_lag_messages",
                                     "Sum of the group's lag over one topic's partitions"};
inline constexpr MetricDef kInterpolated{
    "cdcwatch_kafka_consumer_lag_seconds_interpolated",
    "Partitions of the group whose lag in seconds is estimated from the high watermark's history "
    "instead of read from the record"};
inline constexpr MetricDef kLagSecondsUnknown{
    "cdcwatch_kafka_consumer_lag_seconds_unknown_partitions",
    "Lagging partitions of the group whose lag in seconds cannot be determined (no record read in "
    "time and no watermark history yet); their lag in seconds is absent"};
inline constexpr MetricDef kLagUnknown{
    "cdcwatch_kafka_consumer_lag_messages_unknown_partitions",
    "Partitions of the group whose lag cannot be determined this cycle (a watermark was not "
    "answered); while any is, the group's and that topic's lag sums are absent"};
inline constexpr MetricDef kGroupDiscovered{
    "cdcwatch_kafka_consumer_group_discovered",
    "1 for a group watched because the brokers list it and it matches discover_groups"};
inline constexpr MetricDef kGroupDiscoveryUp{
    "cdcwatch_kafka_group_discovery_up",
    "1 when the last listing of consumer groups (discover_groups) worked, 0 when it failed; "
    "absent without discover_groups"};
inline constexpr MetricDef kGroupDiscoveryLastSuccess{
    "cdcwatch_kafka_group_discovery_last_success_timestamp_seconds",
    "Unix time of the last listing of consumer groups that worked; absent until one has"};
inline constexpr MetricDef kPartitionStatus{"cdcwatch_kafka_partition_status",
                                            "1 on the partition's current status"};
inline constexpr MetricDef kGroupStatus{"cdcwatch_kafka_consumer_group_status",
                                        "1 on the group's current status (its worst partition's)"};

}  // namespace cdcwatch::kafka_lag_metrics
