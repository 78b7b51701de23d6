// Reads the timestamps of the records at given offsets with one consumer handle: assign, poll until
// each partition's record at (or, after compaction, past) its offset arrived or the deadline
// passed, unassign. The handle never subscribes or commits.
#pragma once

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "agent/core/clock.h"
#include "probes/kafka_lag/group_lag.h"

namespace cdcwatch {

struct RecordReads {
  std::map<std::pair<TopicPartition, int64_t>, int64_t> timestamps_ms;  // by partition and offset
  std::string denied;  // set when the broker refused reads (no READ on the topic)
};

// `wanted` holds at most one offset per partition; keep it within kPartitionListBatch partitions
// (librdkafka 2.0's assignment and fetch bookkeeping grow with the square of the list).
RecordReads fetch_record_timestamps(rd_kafka_t* consumer,
                                    const std::map<TopicPartition, int64_t>& wanted,
                                    TimePoint deadline);

}  // namespace cdcwatch
