#include "agent/core/readings_store.h"

namespace cdcwatch {

void ReadingsStore::publish(const std::string& probe, Readings readings) {
  std::lock_guard lock(mutex_);
  by_probe_[probe] = std::move(readings);
}

void ReadingsStore::drop(const std::string& probe) {
  std::lock_guard lock(mutex_);
  by_probe_.erase(probe);
}

Readings ReadingsStore::snapshot() const {
  std::lock_guard lock(mutex_);
  Readings merged;
  for (const auto& [probe, readings] : by_probe_) merged.append(readings);
  return merged;
}

Readings ReadingsStore::of(const std::string& probe) const {
  std::lock_guard lock(mutex_);
  auto it = by_probe_.find(probe);
  return it == by_probe_.end() ? Readings{} : it->second;
}

std::vector<Series> ReadingsStore::find(std::string_view metric, const Labels& match) const {
  std::lock_guard lock(mutex_);
  std::vector<Series> out;
  for (const auto& [probe, readings] : by_probe_) {
    const MetricFamily* family = readings.family(metric);
    if (family == nullptr) continue;
    for (const auto& series : family->series) {
      if (labels_match(series.labels, match)) out.push_back(series);
    }
  }
  return out;
}

}  // namespace cdcwatch
