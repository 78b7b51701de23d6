// The Kafka Connect metrics. The Connect probe reports what Connect says (state, tasks, offsets,
// config); the pipeline stage (agent/pipeline) joins those with the slot and lag probes' readings
// and reports the last two, the stall rule and the source's uncommitted WAL, under these names.
#pragma once

#include "agent/core/readings.h"

namespace cdcwatch::connect_metrics {

inline const MetricDef kUp{"cdcwatch_connect_up",
                           "1 when a Connect worker answered the connector list"};
inline const MetricDef kState{
    "cdcwatch_connector_state",
    "1 on the connector's current state (MISSING: configured but not in the cluster)"};
inline const MetricDef kTaskState{"cdcwatch_connector_task_state", "1 on the task's current state"};
inline const MetricDef kTasks{"cdcwatch_connector_tasks",
                              "Number of the connector's tasks in each state"};
inline const MetricDef kInfo{
    "cdcwatch_connector_info",
    "Always 1; labels carry the connector's class and the config keys that place it in a "
    "pipeline (slot, database, hostname, topic prefix, table include list, topics)"};
inline const MetricDef kLastProgress{
    "cdcwatch_connector_last_progress_timestamp_seconds",
    "When the connector's committed offsets last advanced (unix seconds)"};
inline const MetricDef kSinceProgress{
    "cdcwatch_connector_seconds_since_progress",
    "Seconds since the connector's committed offsets last advanced"};
inline const MetricDef kSourceLsn{
    "cdcwatch_connector_source_lsn_bytes",
    "WAL position (bytes) a Debezium PostgreSQL source has committed"};
// Computed by the pipeline stage from the above and the slot and lag probes' readings.
inline const MetricDef kStalled{
    "cdcwatch_connector_stalled",
    "1 when RUNNING with all tasks RUNNING, input waiting, and no progress for stall_after"};
inline const MetricDef kSourceLag{
    "cdcwatch_connector_source_lag_bytes",
    "WAL bytes the source connector has not committed yet (server LSN minus its LSN)"};

// The connector config keys cdcwatch_connector_info carries, and their label names.
// Debezium PostgreSQL:
// https://debezium.io/documentation/reference/stable/connectors/postgresql.html Sink connectors'
// topics/topics.regex: https://kafka.apache.org/documentation/#sinkconnectconfigs
struct InfoKey {
  const char* config_key;
  const char* label;
};
inline constexpr InfoKey kInfoKeys[] = {
    {"connector.class", "class"},
    {"slot.name", "slot"},
    {"database.dbname", "database"},
    {"database.hostname", "hostname"},
    {"database.port", "port"},
    {"topic.prefix", "topic_prefix"},
    {"table.include.list", "tables"},
    {"topics", "topics"},
    {"topics.regex", "topics_regex"},
    {"schema.include.list", "schemas"},
    // The Snowflake connector's tables:
    // https://docs.snowflake.com/en/user-guide/kafka-connector-install
    {"snowflake.topic2table.map", "topic2table"},
    {"snowflake.database.name", "snowflake_database"},
    {"snowflake.schema.name", "snowflake_schema"},
    {"database.server.name", "server_name"},  // Debezium 1.x's topic prefix
    // How a sink decodes records (the sink-truth probe shows it beside the sink's positions).
    {"value.converter", "value_converter"},
};

}  // namespace cdcwatch::connect_metrics
