// The one metadata statement a sink runs per cycle, and what its answer means. Neither changes a
// channel or a pipe, and neither needs a running virtual warehouse (README.md, "Cost").
//
// Streaming: SHOW CHANNELS IN SCHEMA <db>.<schema>
//   https://docs.snowflake.com/en/sql-reference/sql/show-channels: one row per Snowpipe Streaming
//   channel with created_on, name, database_name, schema_name, table_name, client_sequencer,
//   row_sequencer, offset_token, sizeInBytes (and, from bundle 2025_03, parent_domain and
//   parent_name: https://docs.snowflake.com/en/release-notes/bcr-bundles/2025_03/bcr-1950).
//   Columns are found by name, so added columns do not matter. offset_token is the last Kafka
//   offset the channel committed (NULL before the first commit): the connector resumes at
//   token + 1 and commits token + 1 to Kafka (DirectTopicPartitionChannel
//   .fetchLatestCommittedOffsetFromSnowflake in v3.5.4; PartitionOffsetTracker in 4.x).
// Snowpipe: SELECT SYSTEM$PIPE_STATUS(?), ... with one pipe name bound per column
//   https://docs.snowflake.com/en/sql-reference/functions/system_pipe_status: a JSON object with
//   executionState, pendingFileCount, lastIngestedTimestamp (ISO 8601), oldestPendingFilePath and
//   oldestFileTimestamp (only while files pend), lastIngestedFilePath, error, ... (fields appear
//   only when they apply).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "probes/sink_truth/connector_names.h"
#include "probes/warehouseconn/sql_rows.h"

namespace cdcwatch {

std::string show_channels_statement(const std::string& schema);
// The statement and its bindings (fully qualified pipe names, one per column, in `pipes` order).
std::string pipe_status_statement(size_t pipes);

struct ChannelsAnswer {
  // The channel's offset token per partition; nullopt when NULL or not a Kafka offset.
  std::map<TopicPartitionKey, std::optional<int64_t>> tokens;
  std::string error;  // empty when the answer had the documented shape
};
ChannelsAnswer read_channels(const SqlRows& rows, const std::string& connector,
                             const std::vector<std::string>& topics);

struct PipeStatus {
  std::string execution_state;
  std::optional<int64_t> pending_files;
  std::optional<double> last_ingest_seconds;  // unix seconds
};
struct PipesAnswer {
  std::map<std::string, PipeStatus> pipes;  // by the pipe name as bound
  std::string error;
};
PipesAnswer read_pipe_statuses(const SqlRows& rows, const std::vector<std::string>& pipes);

// "2024-05-01T12:34:56.789Z" (and offsets such as +00:00) as unix seconds.
std::optional<double> parse_iso8601(const std::string& text);

}  // namespace cdcwatch
