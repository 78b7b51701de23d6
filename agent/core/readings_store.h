// The latest readings of every probe, replaced whole at each cycle. Thread-safe: probes publish
// from their workers while /metrics, /status and the rule evaluator read. Each probe's readings
// are shared and immutable once published, so a reader holds the lock only to copy pointers and
// a scrape of 100,000 series never blocks a probe for the length of a render.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "agent/core/readings.h"
#include "agent/core/readings_view.h"

namespace cdcwatch {

class ReadingsStore final : public ReadingsView {
 public:
  void publish(const std::string& probe, Readings readings);
  void drop(const std::string& probe);
  // Every probe's latest readings, as published (for rendering without a merged copy).
  std::vector<std::shared_ptr<const Readings>> latest() const;
  // Every probe's readings merged into one set of families (same-named families joined).
  Readings snapshot() const;
  Readings of(const std::string& probe) const;
  std::vector<Series> find(std::string_view metric, const Labels& match) const override;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const Readings>> by_probe_;
};

}  // namespace cdcwatch
