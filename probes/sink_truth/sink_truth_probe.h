// The sink-truth probe (issue #18): per partition, how far the warehouse itself is behind Kafka,
// from the positions the Snowflake connector committed in Snowflake (Snowpipe Streaming channels'
// offset tokens), and per file-based pipe its pending files and last ingest. One cycle:
//   1. the connector's topics, topic2table map and converter, from the Connect probe's readings
//      (cdcwatch_connector_info) when `connect` is given;
//   2. the topics' partitions (Kafka metadata);
//   3. ONE metadata statement in Snowflake (SHOW CHANNELS, or SYSTEM$PIPE_STATUS per pipe);
//   4. high watermarks, read after Snowflake answered, so a watermark is never older than the
//      position it is compared with;
//   5. the timestamp of the record at each lagging partition's warehouse position;
//   6. the connector's consumer-group offsets, from the lag probe's readings.
// Thread-safety: as every probe (agent/core/probe.h).
#pragma once

#include <memory>
#include <optional>

#include "agent/core/probe.h"
#include "probes/kafkaconn/kafka_cluster_config.h"
#include "probes/kafkaconn/kafka_handle.h"
#include "probes/sink_truth/sink_config.h"
#include "probes/sink_truth/sink_positions.h"
#include "probes/warehouseconn/snowflake_client.h"

namespace cdcwatch {

// What the connector's Connect config says, as far as the probe needs it.
struct ConnectorSettings {
  std::vector<std::string> topics;  // `topics`
  std::string topics_regex;         // `topics.regex`
  std::vector<std::pair<std::string, std::string>> topic2table;
  std::string value_converter;
};

class SinkTruthProbe final : public Probe {
 public:
  SinkTruthProbe(SinkConfig config, KafkaClusterConfig kafka, SnowflakeConfig snowflake);
  std::string name() const override { return "sink_truth/" + config_.name; }
  Millis interval() const override { return config_.interval; }
  CollectOutcome collect(const CollectContext& ctx) override;
  nlohmann::json save_state() const override { return positions_.save(); }
  void restore_state(const nlohmann::json& state) override { positions_.restore(state); }

 private:
  std::optional<ConnectorSettings> settings(const CollectContext& ctx, CollectOutcome& outcome);
  std::vector<std::string> sink_topics(const std::map<std::string, int32_t>& kafka_topics,
                                       const std::optional<ConnectorSettings>& settings) const;
  void collect_streaming(const CollectContext& ctx, const std::vector<std::string>& topics,
                         const std::map<std::string, int32_t>& partitions, CollectOutcome& outcome);
  void collect_snowpipe(const CollectContext& ctx, const std::vector<std::string>& topics,
                        const std::map<std::string, int32_t>& partitions,
                        const ConnectorSettings& settings, CollectOutcome& outcome);
  std::optional<int64_t> group_next(const CollectContext& ctx,
                                    const TopicPartitionKey& partition) const;
  // The timestamps (ms) of the records at `lagging` offsets: cached ones, and up to
  // kPartitionListBatch read this cycle (the rest on the next ones; theirs are unknown till then).
  std::map<TopicPartitionKey, int64_t> record_timestamps(
      const CollectContext& ctx, const std::map<TopicPartitionKey, int64_t>& lagging,
      CollectOutcome& outcome);

  SinkConfig config_;
  KafkaClusterConfig kafka_;
  SnowflakeClient snowflake_;
  KafkaHandle handle_;
  SinkPositions positions_;
  // Record timestamps by partition and offset: a stalled sink's offset is read once, not every
  // interval. Holds only offsets the warehouse lags at, so it is as large as the lag.
  std::map<std::pair<TopicPartitionKey, int64_t>, int64_t> timestamp_cache_;
  // The connector's config as last reported: a Connect outage must not blind the sink's view.
  std::optional<ConnectorSettings> last_settings_;
};

}  // namespace cdcwatch
