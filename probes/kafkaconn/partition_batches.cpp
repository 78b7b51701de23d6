#include "probes/kafkaconn/partition_batches.h"

#include <algorithm>

namespace cdcwatch {

PartitionList partition_batch(std::span<const std::pair<std::string, int32_t>> partitions,
                              size_t from, int64_t offset) {
  size_t to = std::min(partitions.size(), from + kPartitionListBatch);
  PartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(to - from)));
  for (size_t i = from; i < to; ++i) {
    rd_kafka_topic_partition_list_add(list.get(), partitions[i].first.c_str(), partitions[i].second)
        ->offset = offset;
  }
  return list;
}

rd_kafka_resp_err_t list_offsets(
    rd_kafka_t* handle, std::span<const std::pair<std::string, int32_t>> partitions, int64_t at,
    const std::function<int()>& time_left_ms,
    const std::function<void(const rd_kafka_topic_partition_t&)>& answered) {
  rd_kafka_resp_err_t first_error = RD_KAFKA_RESP_ERR_NO_ERROR;
  for (size_t from = 0; from < partitions.size(); from += kPartitionListBatch) {
    int timeout_ms = time_left_ms();
    if (timeout_ms <= 0) return first_error ? first_error : RD_KAFKA_RESP_ERR__TIMED_OUT;
    PartitionList batch = partition_batch(partitions, from, at);
    rd_kafka_resp_err_t err = rd_kafka_offsets_for_times(handle, batch.get(), timeout_ms);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (!first_error) first_error = err;
      continue;
    }
    for (int i = 0; i < batch->cnt; ++i) answered(batch->elems[i]);
  }
  return first_error;
}

}  // namespace cdcwatch
