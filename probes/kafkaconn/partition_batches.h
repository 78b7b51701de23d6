// Partition lists for librdkafka's offset requests (ListOffsets, OffsetFetch), in batches.
// librdkafka 2.0 matches an answer to its request's partition list pairwise, so one list of 10,000
// partitions costs seconds of CPU per cycle while lists of 1,000 cost milliseconds; every offset
// request of the Kafka probes (consumer lag, sink truth) goes through here.
#pragma once

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <functional>
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

// The offsets at `at` (RD_KAFKA_OFFSET_END: high watermarks; RD_KAFKA_OFFSET_BEGINNING: low) of
// `partitions`, with rd_kafka_offsets_for_times one batch at a time: each batch is one ListOffsets
// request per leader broker, so a read costs about brokers × ⌈partitions / 1000⌉ requests, not one
// per partition (rd_kafka_query_watermark_offsets). Each batch waits at most time_left_ms(); once
// that is 0 or less nothing more is sent. `answered` sees every entry of an answered batch, those
// with an error (tp.err) or no offset (tp.offset < 0) too; a batch whose call failed is passed
// over and the next one still asked. Returns the first failed call's error,
// RD_KAFKA_RESP_ERR__TIMED_OUT when time ran out first, or RD_KAFKA_RESP_ERR_NO_ERROR.
rd_kafka_resp_err_t list_offsets(
    rd_kafka_t* handle, std::span<const std::pair<std::string, int32_t>> partitions, int64_t at,
    const std::function<int()>& time_left_ms,
    const std::function<void(const rd_kafka_topic_partition_t&)>& answered);

}  // namespace cdcwatch
