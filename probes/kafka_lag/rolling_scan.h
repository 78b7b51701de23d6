// Which partitions each group is asked its committed offsets on (OffsetFetch answers only the
// partitions listed): every partition of the topics the group is counted on, and a rolling slice
// of the others, so a commit on a topic the group is not yet known to commit on is found without
// any cycle asking every partition for every group (at 100,000 partitions and 100 groups that was
// 10,000 OffsetFetch requests, which did not finish within request_timeout).
//
// The slice: each group's share of kPairsPerCycle (group, partition) pairs per cycle, at least one
// list of kPartitionListBatch. A group counted on no topic asks its whole share every cycle; a
// group counted on some asks a tenth of the rest per cycle, at most its share. So every partition
// is asked for every group at least once every max(10, ⌈partitions / share⌉) cycles
// (scan_cycles()), and a cycle asks at most max(kPairsPerCycle, groups × kPartitionListBatch)
// pairs beyond the counted topics. Slices take partition 0 of every topic, then partition 1 of
// every topic and so on, so a group's first slice touches every topic even when it is small.
// Not thread-safe: one probe cycle at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace cdcwatch {

class RollingScan {
 public:
  using TopicPartition = std::pair<std::string, int32_t>;
  static constexpr size_t kPairsPerCycle = 100'000;
  static constexpr size_t kCyclesPerRound = 10;

  explicit RollingScan(size_t pairs_per_cycle = kPairsPerCycle)
      : pairs_per_cycle_(pairs_per_cycle) {}

  // This cycle's partitions for each of `groups`: those of its `counted_topics`, then its slice of
  // the rest, from where its previous slice ended. Groups not in `groups` are forgotten.
  std::map<std::string, std::vector<TopicPartition>> plan(
      const std::vector<TopicPartition>& partitions,
      const std::map<std::string, std::set<std::string>>& counted_topics,
      const std::vector<std::string>& groups);

  // After plan(), with the topics the groups are counted on now: for each planned group, the
  // partitions of topics it is newly counted on that plan() did not ask. A topic first found in a
  // slice is asked in full in the same cycle, so that its partitions outside the slice are not
  // taken for partitions without a commit (their lag counted from the low watermark).
  std::map<std::string, std::vector<TopicPartition>> unasked_of_new_topics(
      const std::vector<TopicPartition>& partitions,
      const std::map<std::string, std::set<std::string>>& counted_topics) const;

  // The cycles within which every partition is asked for every one of `groups` groups.
  size_t scan_cycles(size_t partitions, size_t groups) const;

 private:
  size_t share(size_t groups) const;
  void index(const std::vector<TopicPartition>& partitions);
  // Appends up to `slice` partitions of topics not `counted`, in scan order from the group's
  // cursor.
  void take_slice(size_t& cursor, const std::vector<bool>& counted, size_t slice,
                  const std::vector<TopicPartition>& partitions, std::vector<TopicPartition>& out,
                  std::vector<bool>& asked) const;

  size_t pairs_per_cycle_;
  std::map<std::string, size_t> cursors_;  // by group: position in order_ of its next slice
  // This cycle's partitions: topic ids, each topic's partitions and the scan order (indices).
  std::unordered_map<std::string, uint32_t> topic_ids_;
  std::vector<uint32_t> topic_of_;
  std::vector<std::vector<size_t>> members_;
  std::vector<size_t> order_;
  // By group, as planned this cycle: the topic ids it was counted on, the partition indices asked.
  std::map<std::string, std::vector<bool>> planned_topics_;
  std::map<std::string, std::vector<bool>> planned_partitions_;
};

}  // namespace cdcwatch
