#include "probes/kafka_lag/record_reader.h"

#include "probes/kafka_lag/partition_batches.h"

namespace cdcwatch {

RecordReads fetch_record_timestamps(rd_kafka_t* consumer,
                                    const std::map<TopicPartition, int64_t>& wanted,
                                    TimePoint deadline) {
  RecordReads out;
  PartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(wanted.size())));
  for (const auto& [tp, offset] : wanted) {
    rd_kafka_topic_partition_list_add(list.get(), tp.first.c_str(), tp.second)->offset = offset;
  }
  if (wanted.empty() || rd_kafka_assign(consumer, list.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return out;
  }
  while (out.timestamps_ms.size() < wanted.size() && std::chrono::system_clock::now() < deadline) {
    rd_kafka_message_t* message = rd_kafka_consumer_poll(consumer, 100);
    if (!message) continue;
    if (message->err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED) {
      out.denied = std::string("reading records is not permitted (") +
                   rd_kafka_err2str(message->err) +
                   "): grant READ on the topics, or lag in seconds is interpolated";
      rd_kafka_message_destroy(message);
      break;
    }
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      TopicPartition tp{rd_kafka_topic_name(message->rkt), message->partition};
      auto want = wanted.find(tp);
      if (want != wanted.end() && message->offset >= want->second) {
        out.timestamps_ms.emplace(std::pair{tp, want->second},
                                  rd_kafka_message_timestamp(message, nullptr));
      }
    }
    rd_kafka_message_destroy(message);
  }
  rd_kafka_assign(consumer, nullptr);
  return out;
}

}  // namespace cdcwatch
