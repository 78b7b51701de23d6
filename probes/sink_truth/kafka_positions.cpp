#include "probes/sink_truth/kafka_positions.h"

#include <chrono>

#include "probes/kafkaconn/partition_batches.h"

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

// Batched ListOffsets (partition_batches.h): about brokers × ⌈partitions / 1000⌉ requests, where
// one rd_kafka_query_watermark_offsets per partition was one request each.
WatermarksRead read_high_watermarks(rd_kafka_t* handle,
                                    const std::vector<TopicPartitionKey>& partitions,
                                    TimePoint deadline, const Clock& clock) {
  WatermarksRead out;
  auto time_left_ms = [&] {
    return static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock.now()).count());
  };
  std::string partition_error;  // the first partition the brokers answered with an error
  rd_kafka_resp_err_t request_error = list_offsets(
      handle, partitions, RD_KAFKA_OFFSET_END, time_left_ms,
      [&](const rd_kafka_topic_partition_t& tp) {
        if (tp.err == RD_KAFKA_RESP_ERR_NO_ERROR && tp.offset >= 0) {
          out.high[{tp.topic, tp.partition}] = tp.offset;
        } else if (partition_error.empty()) {
          partition_error = "high watermark of " + std::string(tp.topic) + "/" +
                            std::to_string(tp.partition) + ": " +
                            (tp.err ? rd_kafka_err2str(tp.err) : "no offset in the answer");
        }
      });
  if (request_error) {
    out.error = std::string("high watermarks not all read: ListOffsets failed: ") +
                rd_kafka_err2str(request_error) + "; check the brokers and request_timeout";
  } else {
    out.error = partition_error;
  }
  return out;
}

}  // namespace cdcwatch
