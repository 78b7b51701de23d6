#include "probes/kafka_lag/partition_windows.h"

#include <algorithm>

namespace cdcwatch {

PartitionWindows::Slot* PartitionWindows::slot(const std::string& group, const std::string& topic,
                                               int32_t partition, bool make) {
  if (partition < 0) return nullptr;
  auto index = static_cast<size_t>(partition);
  if (!make) {
    auto g = groups_.find(group);
    if (g == groups_.end()) return nullptr;
    auto t = g->second.find(topic);
    if (t == g->second.end() || index >= t->second.size()) return nullptr;
    return &t->second[index];
  }
  auto& slots = groups_[group][topic];
  if (index >= slots.size()) slots.resize(index + 1);
  return &slots[index];
}

PartitionWindow& PartitionWindows::touch(const std::string& group, const std::string& topic,
                                         int32_t partition) {
  Slot* s = slot(group, topic, std::max(partition, 0), true);
  if (!s->window) s->window.emplace(size_, stop_after_);
  s->touched = cycle_;
  return *s->window;
}

void PartitionWindows::keep(const std::string& group, const std::string& topic, int32_t partition) {
  if (Slot* s = slot(group, topic, partition, false)) s->touched = cycle_;
}

void PartitionWindows::put(const std::string& group, const std::string& topic, int32_t partition,
                           PartitionWindow window) {
  if (Slot* s = slot(group, topic, partition, true)) {
    s->window = std::move(window);
    s->touched = cycle_;
  }
}

void PartitionWindows::forget_untouched() {
  for (auto g = groups_.begin(); g != groups_.end();) {
    auto& topics = g->second;
    for (auto t = topics.begin(); t != topics.end();) {
      auto& slots = t->second;
      for (auto& s : slots) {
        if (s.touched != cycle_) s.window.reset();
      }
      while (!slots.empty() && !slots.back().window) slots.pop_back();
      if (slots.empty()) {
        t = topics.erase(t);
      } else {
        if (slots.capacity() > 2 * slots.size()) slots.shrink_to_fit();
        ++t;
      }
    }
    g = topics.empty() ? groups_.erase(g) : std::next(g);
  }
}

size_t PartitionWindows::size() const {
  size_t n = 0;
  for_each([&](const auto&, const auto&, int32_t, const PartitionWindow&) { ++n; });
  return n;
}

}  // namespace cdcwatch
