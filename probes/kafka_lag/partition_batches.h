// Partition lists for librdkafka's offset requests (ListOffsets, OffsetFetch), in batches.
// librdkafka 2.0 matches an answer to its request's partition list pairwise, so one list of 10,000
// partitions costs seconds of CPU per cycle while lists of 1,000 cost milliseconds; every offset
// request of the lag probe goes through here.
#pragma once

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <memory>
#include <span>
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

// The list of `partitions` from index `from`, at most kPartitionListBatch of them, each entry's
// offset set to `offset`. Callers build one batch at a time (`from` += kPartitionListBatch): all
// of them at once cost 64 bytes per partition per group (640 MB for a scan of 100,000 partitions
// by 100 groups).
PartitionList partition_batch(std::span<const std::pair<std::string, int32_t>> partitions,
                              size_t from, int64_t offset = RD_KAFKA_OFFSET_INVALID);

}  // namespace cdcwatch
