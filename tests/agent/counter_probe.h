// A probe whose whole learnt state is a counter of its cycles: the smallest probe that can show
// whether the agent kept its state across a reload or a restart.
#pragma once

#include <map>
#include <memory>
#include <mutex>

#include "agent/core/probe.h"

namespace cdcwatch::testing {

inline const MetricDef kCounter{"cdcwatch_test_counter", "cycles the probe remembers"};

// What each probe instance was given back at restore_state(), by name; -1 when nothing.
class RestoredCounts {
 public:
  void record(const std::string& probe, int64_t count) {
    std::lock_guard lock(mutex_);
    counts_[probe] = count;
  }
  int64_t of(const std::string& probe) const {
    std::lock_guard lock(mutex_);
    auto found = counts_.find(probe);
    return found == counts_.end() ? -1 : found->second;
  }
  void clear() {
    std::lock_guard lock(mutex_);
    counts_.clear();
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, int64_t> counts_;
};

class CounterProbe : public Probe {
 public:
  CounterProbe(std::string name, std::shared_ptr<RestoredCounts> restored)
      : name_(std::move(name)), restored_(std::move(restored)) {}
  std::string name() const override { return name_; }
  Millis interval() const override { return Millis(20); }
  CollectOutcome collect(const CollectContext&) override {
    CollectOutcome outcome;
    outcome.readings.set(kCounter, {{"probe", name_}}, static_cast<double>(++count_));
    return outcome;
  }
  nlohmann::json save_state() const override { return {{"count", count_}}; }
  void restore_state(const nlohmann::json& state) override {
    if (!state.is_object() || !state.contains("count") || !state["count"].is_number_integer()) {
      return;
    }
    count_ = state["count"].get<int64_t>();
    restored_->record(name_, count_);
  }

 private:
  std::string name_;
  std::shared_ptr<RestoredCounts> restored_;
  int64_t count_ = 0;
};

}  // namespace cdcwatch::testing
