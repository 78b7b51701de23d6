// A group's lag on each partition it is counted on, from its committed offsets and the partitions'
// watermarks. Pure: no I/O, no clock.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "probes/kafkaconn/partition_table.h"
#include "probes/kafkaconn/topic_partition.h"

namespace cdcwatch {

struct PartitionOffsets {
  std::optional<int64_t> low;  // read only for partitions some group has no commit on
  int64_t high = 0;
};

struct PartitionLag {
  TopicPartition tp;
  std::optional<int64_t> committed;  // empty: the group has no commit here
  int64_t lag = 0;                   // records not yet consumed
  int64_t oldest_unconsumed = 0;     // offset of the oldest of them (meaningful when lag > 0)
};

struct GroupLag {
  std::vector<PartitionLag> partitions;
  // Partitions whose lag cannot be known this cycle: no high watermark was answered, or the group
  // has no commit there and the low watermark was not answered.
  std::vector<TopicPartition> unknown;
};

// For every partition of `topics` among `partitions`: lag = high watermark - committed offset, or -
// low watermark where the group has no commit.
GroupLag group_lag(const std::vector<TopicPartition>& partitions,
                   const std::set<std::string>& topics, const PartitionTable<int64_t>& committed,
                   const PartitionTable<PartitionOffsets>& watermarks);

}  // namespace cdcwatch
