#include "probes/kafka_lag/group_lag.h"

#include <algorithm>

namespace cdcwatch {

GroupLag group_lag(const std::vector<TopicPartition>& partitions,
                   const std::set<std::string>& topics, const PartitionTable<int64_t>& committed,
                   const PartitionTable<PartitionOffsets>& watermarks) {
  GroupLag out;
  for (const auto& tp : partitions) {
    if (!topics.count(tp.first)) continue;
    const PartitionOffsets* offsets = watermarks.find(tp);
    const int64_t* commit = committed.find(tp);
    std::optional<int64_t> offset;
    if (commit) offset = *commit;
    if (!offsets || (!offset && !offsets->low)) {
      out.unknown.push_back(tp);
      continue;
    }
    int64_t from = offset ? *offset : *offsets->low;
    int64_t lag = std::max<int64_t>(0, offsets->high - from);
    out.partitions.push_back({tp, offset, lag, std::max(from, offsets->low.value_or(from))});
  }
  return out;
}

}  // namespace cdcwatch
