#include "probes/kafka_lag/group_lag.h"

#include <algorithm>

namespace cdcwatch {

GroupLag group_lag(const std::vector<TopicPartition>& partitions,
                   const std::set<std::string>& topics,
                   const std::map<TopicPartition, int64_t>& committed,
                   const std::map<TopicPartition, PartitionOffsets>& watermarks) {
  GroupLag out;
  for (const auto& tp : partitions) {
    if (!topics.count(tp.first)) continue;
    auto offsets = watermarks.find(tp);
    auto commit = committed.find(tp);
    std::optional<int64_t> offset;
    if (commit != committed.end()) offset = commit->second;
    if (offsets == watermarks.end() || (!offset && !offsets->second.low)) {
      out.unknown.push_back(tp);
      continue;
    }
    int64_t from = offset ? *offset : *offsets->second.low;
    int64_t lag = std::max<int64_t>(0, offsets->second.high - from);
    out.partitions.push_back({tp, offset, lag, std::max(from, offsets->second.low.value_or(from))});
  }
  return out;
}

}  // namespace cdcwatch
