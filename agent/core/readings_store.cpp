#include "agent/core/readings_store.h"

namespace cdcwatch {

void ReadingsStore::publish(const std::string& probe, Readings readings) {
  auto published = std::make_shared<const Readings>(std::move(readings));
  std::shared_ptr<const Readings> replaced;  // freed after the lock is released
  std::lock_guard lock(mutex_);
  replaced = std::exchange(by_probe_[probe], std::move(published));
}

void ReadingsStore::drop(const std::string& probe) {
  std::shared_ptr<const Readings> dropped;
  std::lock_guard lock(mutex_);
  auto it = by_probe_.find(probe);
  if (it == by_probe_.end()) return;
  dropped = std::move(it->second);
  by_probe_.erase(it);
}

std::vector<std::shared_ptr<const Readings>> ReadingsStore::latest() const {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<const Readings>> out;
  out.reserve(by_probe_.size());
  for (const auto& [probe, readings] : by_probe_) out.push_back(readings);
  return out;
}

Readings ReadingsStore::snapshot() const {
  Readings merged;
  for (const auto& readings : latest()) merged.append(*readings);
  return merged;
}

Readings ReadingsStore::of(const std::string& probe) const {
  std::lock_guard lock(mutex_);
  auto it = by_probe_.find(probe);
  return it == by_probe_.end() ? Readings{} : *it->second;
}

std::vector<Series> ReadingsStore::find(std::string_view metric, const Labels& match) const {
  std::vector<Series> out;
  for (const auto& readings : latest()) {
    const MetricFamily* family = readings->family(metric);
    if (family == nullptr) continue;
    for (const auto& series : family->series) {
      if (labels_match(series.labels, match)) out.push_back(series);
    }
  }
  return out;
}

}  // namespace cdcwatch
