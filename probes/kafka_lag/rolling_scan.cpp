#include "probes/kafka_lag/rolling_scan.h"

#include <algorithm>
#include <numeric>

#include "probes/kafkaconn/partition_batches.h"

namespace cdcwatch {

size_t RollingScan::share(size_t groups) const {
  return std::max(kPartitionListBatch, pairs_per_cycle_ / std::max<size_t>(groups, 1));
}

size_t RollingScan::scan_cycles(size_t partitions, size_t groups) const {
  size_t slice = share(groups);
  return std::max(kCyclesPerRound, (partitions + slice - 1) / slice);
}

void RollingScan::index(const std::vector<TopicPartition>& partitions) {
  topic_ids_.clear();
  members_.clear();
  topic_of_.resize(partitions.size());
  for (size_t i = 0; i < partitions.size(); ++i) {
    auto [it, added] =
        topic_ids_.try_emplace(partitions[i].first, static_cast<uint32_t>(members_.size()));
    if (added) members_.emplace_back();
    topic_of_[i] = it->second;
    members_[it->second].push_back(i);
  }
  order_.resize(partitions.size());
  std::iota(order_.begin(), order_.end(), size_t{0});
  std::stable_sort(order_.begin(), order_.end(),
                   [&](size_t a, size_t b) { return partitions[a].second < partitions[b].second; });
}

std::map<std::string, std::vector<RollingScan::TopicPartition>> RollingScan::plan(
    const std::vector<TopicPartition>& partitions,
    const std::map<std::string, std::set<std::string>>& counted_topics,
    const std::vector<std::string>& groups) {
  index(partitions);
  std::set<std::string> watched(groups.begin(), groups.end());
  std::erase_if(cursors_, [&](const auto& cursor) { return !watched.count(cursor.first); });
  planned_topics_.clear();
  planned_partitions_.clear();
  std::map<std::string, std::vector<TopicPartition>> out;
  for (const auto& group : groups) {
    auto& list = out[group];
    auto& counted = planned_topics_[group] = std::vector<bool>(members_.size(), false);
    auto& asked = planned_partitions_[group] = std::vector<bool>(partitions.size(), false);
    auto topics = counted_topics.find(group);
    bool knows_nothing = topics == counted_topics.end() || topics->second.empty();
    for (const auto& topic : knows_nothing ? std::set<std::string>{} : topics->second) {
      auto id = topic_ids_.find(topic);
      if (id == topic_ids_.end()) continue;
      counted[id->second] = true;
      for (size_t i : members_[id->second]) {
        list.push_back(partitions[i]);
        asked[i] = true;
      }
    }
    size_t rest = partitions.size() - list.size();
    size_t slice = knows_nothing ? share(groups.size())
                                 : std::min(share(groups.size()),
                                            (rest + kCyclesPerRound - 1) / kCyclesPerRound);
    take_slice(cursors_[group], counted, std::min(slice, rest), partitions, list, asked);
  }
  return out;
}

std::map<std::string, std::vector<RollingScan::TopicPartition>> RollingScan::unasked_of_new_topics(
    const std::vector<TopicPartition>& partitions,
    const std::map<std::string, std::set<std::string>>& counted_topics) const {
  std::map<std::string, std::vector<TopicPartition>> out;
  for (const auto& [group, was_counted] : planned_topics_) {
    auto& list = out[group];
    auto topics = counted_topics.find(group);
    if (topics == counted_topics.end()) continue;
    const auto& asked = planned_partitions_.at(group);
    for (const auto& topic : topics->second) {
      auto id = topic_ids_.find(topic);
      if (id == topic_ids_.end() || was_counted[id->second]) continue;
      for (size_t i : members_[id->second]) {
        if (!asked[i]) list.push_back(partitions[i]);
      }
    }
  }
  return out;
}

void RollingScan::take_slice(size_t& cursor, const std::vector<bool>& counted, size_t slice,
                             const std::vector<TopicPartition>& partitions,
                             std::vector<TopicPartition>& out, std::vector<bool>& asked) const {
  if (cursor >= order_.size()) cursor = 0;
  for (size_t step = 0; step < order_.size() && slice > 0; ++step) {
    size_t at = order_[cursor];
    cursor = (cursor + 1) % order_.size();
    if (counted[topic_of_[at]]) continue;
    out.push_back(partitions[at]);
    asked[at] = true;
    --slice;
  }
}

}  // namespace cdcwatch
