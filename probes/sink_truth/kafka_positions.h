// What the sink-truth probe reads from Kafka itself with one consumer handle that never subscribes
// or commits: the topics and their partition counts (Metadata), high watermarks (ListOffsets), and
// the timestamps of the records the warehouse expects next (Fetch of one record each).
#pragma once

#include <librdkafka/rdkafka.h>

#include <map>
#include <string>

#include "agent/core/clock.h"
#include "probes/sink_truth/connector_names.h"

namespace cdcwatch {

struct TopicsRead {
  std::map<std::string, int32_t> partitions;  // by topic
  std::string error;
};
TopicsRead read_topics(rd_kafka_t* handle, int timeout_ms);

struct WatermarksRead {
  std::map<TopicPartitionKey, int64_t> high;  // partitions not answered are absent
  std::string error;                          // the first failure, for the cycle's error
};
WatermarksRead read_high_watermarks(rd_kafka_t* handle,
                                    const std::vector<TopicPartitionKey>& partitions,
                                    TimePoint deadline, const Clock& clock);

}  // namespace cdcwatch
