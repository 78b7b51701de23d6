#include "probes/sink_truth/kafka_positions.h"

#include <algorithm>

namespace cdcwatch {

TopicsRead read_topics(rd_kafka_t* handle, int timeout_ms) {
  TopicsRead out;
  const rd_kafka_metadata_t* metadata = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(handle, 1, nullptr, &metadata, timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    out.error = std::string("metadata request failed: ") + rd_kafka_err2str(err);
    return out;
  }
  for (int i = 0; i < metadata->topic_cnt; ++i) {
    const auto& topic = metadata->topics[i];
    if (topic.err == RD_KAFKA_RESP_ERR_NO_ERROR) out.partitions[topic.topic] = topic.partition_cnt;
  }
  rd_kafka_metadata_destroy(metadata);
  return out;
}

WatermarksRead read_high_watermarks(rd_kafka_t* handle,
                                    const std::vector<TopicPartitionKey>& partitions,
                                    TimePoint deadline, const Clock& clock) {
  WatermarksRead out;
  for (const auto& [topic, partition] : partitions) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock.now());
    if (left.count() <= 0) {
      if (out.error.empty()) out.error = "high watermarks not all read before the deadline";
      break;
    }
    int64_t low = 0, high = 0;
    rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
        handle, topic.c_str(), partition, &low, &high, static_cast<int>(left.count()));
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      out.high[{topic, partition}] = high;
    } else if (out.error.empty()) {
      out.error = "high watermark of " + topic + "/" + std::to_string(partition) + ": " +
                  rd_kafka_err2str(err);
    }
  }
  return out;
}

}  // namespace cdcwatch
