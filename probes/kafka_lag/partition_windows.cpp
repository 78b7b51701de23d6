#include "probes/kafka_lag/partition_windows.h"

#include <algorithm>

namespace cdcwatch {

PartitionWindow& PartitionWindows::touch(const std::string& group, const std::string& topic,
                                         int32_t partition) {
  Slot& slot = groups_[group].make(topic, std::max(partition, 0));
  if (!slot.window) slot.window.emplace(size_, stop_after_);
  slot.touched = cycle_;
  return *slot.window;
}

void PartitionWindows::keep(const std::string& group, const std::string& topic, int32_t partition) {
  auto table = groups_.find(group);
  if (table == groups_.end()) return;
  if (Slot* slot = table->second.find(topic, partition)) slot->touched = cycle_;
}

void PartitionWindows::put(const std::string& group, const std::string& topic, int32_t partition,
                           PartitionWindow window) {
  if (partition < 0) return;
  groups_[group].make(topic, partition) = {std::move(window), cycle_};
}

void PartitionWindows::forget_untouched() {
  for (auto table = groups_.begin(); table != groups_.end();) {
    table->second.retain(
        [&](const std::string&, int32_t, const Slot& slot) { return slot.touched == cycle_; });
    table = table->second.empty() ? groups_.erase(table) : std::next(table);
  }
}

size_t PartitionWindows::size() const {
  size_t n = 0;
  for (const auto& [group, table] : groups_) n += table.size();
  return n;
}

}  // namespace cdcwatch
