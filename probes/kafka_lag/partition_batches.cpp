#include "probes/kafka_lag/partition_batches.h"

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

}  // namespace cdcwatch
