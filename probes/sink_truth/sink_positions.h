// From what one cycle read (the warehouse's positions, Kafka's high watermarks, the connector's
// consumer-group offsets, record timestamps) to the sink's readings. Pure but for the progress
// clock it keeps: since when each partition's warehouse position last advanced, reset while the
// partition is caught up, so an idle topic never reads as stalled. Not thread-safe.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "agent/core/clock.h"
#include "agent/core/readings.h"
#include "probes/sink_truth/connector_names.h"
#include "probes/sink_truth/sink_queries.h"

namespace cdcwatch {

struct PartitionView {
  std::optional<int64_t> warehouse_next;  // offset token + 1
  std::optional<int64_t> high_watermark;
  std::optional<int64_t> group_next;           // the connector's consumer group, from Kafka
  std::optional<int64_t> record_timestamp_ms;  // of the record at warehouse_next
};

class SinkPositions {
 public:
  // Readings for the partitions (labels sink, topic, partition) and the sink's aggregates.
  Readings partition_readings(const std::string& sink,
                              const std::map<TopicPartitionKey, PartitionView>& partitions,
                              TimePoint now);
  static Readings pipe_readings(const std::string& sink,
                                const std::map<std::string, PipeStatus>& pipes, TimePoint now);

  nlohmann::json save() const;
  void restore(const nlohmann::json& state);

 private:
  struct Progress {
    int64_t next = 0;
    TimePoint since;
  };
  double seconds_since_progress(const TopicPartitionKey& partition, int64_t next, int64_t lag,
                                TimePoint now);
  std::map<TopicPartitionKey, Progress> progress_;
};

}  // namespace cdcwatch
