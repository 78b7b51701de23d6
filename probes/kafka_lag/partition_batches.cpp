#include "probes/kafka_lag/partition_batches.h"

#include <algorithm>

namespace cdcwatch {

std::vector<PartitionList> partition_batches(
    const std::vector<std::pair<std::string, int32_t>>& partitions, int64_t offset) {
  std::vector<PartitionList> batches;
  for (size_t from = 0; from < partitions.size(); from += kPartitionListBatch) {
    size_t to = std::min(partitions.size(), from + kPartitionListBatch);
    PartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(to - from)));
    for (size_t i = from; i < to; ++i) {
      rd_kafka_topic_partition_list_add(list.get(), partitions[i].first.c_str(),
                                        partitions[i].second)
          ->offset = offset;
    }
    batches.push_back(std::move(list));
  }
  return batches;
}

}  // namespace cdcwatch
