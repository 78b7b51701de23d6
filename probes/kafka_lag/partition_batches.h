// Partition lists for librdkafka's offset requests (ListOffsets, OffsetFetch), in batches.
// librdkafka 2.0 matches an answer to its request's partition list pairwise, so one list of 10,000
// partitions costs seconds of CPU per cycle while lists of 1,000 cost milliseconds; every offset
// request of the lag probe goes through here.
#pragma once

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace cdcwatch {

inline constexpr size_t kPartitionListBatch = 1000;

struct PartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* list) const {
    rd_kafka_topic_partition_list_destroy(list);
  }
};
using PartitionList = std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter>;

// `partitions` in lists of at most kPartitionListBatch, each entry's offset set to `offset`.
std::vector<PartitionList> partition_batches(
    const std::vector<std::pair<std::string, int32_t>>& partitions,
    int64_t offset = RD_KAFKA_OFFSET_INVALID);

}  // namespace cdcwatch
