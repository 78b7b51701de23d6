// What the canary's three probes (writer, Kafka observer, warehouse observer) share: the measured
// clock skew to the database, and when each recent canary reached Kafka, so the warehouse
// observer can time the kafka_to_warehouse hop. Thread-safe; each probe runs on its own worker.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>

namespace cdcwatch {

class CanaryTimeline {
 public:
  // Agent clock minus database clock, in seconds.
  void set_clock_skew(double seconds) {
    std::lock_guard lock(mutex_);
    skew_ = seconds;
  }
  double clock_skew() const {
    std::lock_guard lock(mutex_);
    return skew_.value_or(0);
  }
  bool clock_skew_known() const {
    std::lock_guard lock(mutex_);
    return skew_.has_value();
  }

  void reached_kafka(int64_t seq, double record_time) {
    std::lock_guard lock(mutex_);
    // Higher sequences than this one were seen before the canary table was recreated.
    kafka_times_.erase(kafka_times_.lower_bound(seq), kafka_times_.end());
    kafka_times_[seq] = record_time;
    while (kafka_times_.size() > kKeep) kafka_times_.erase(kafka_times_.begin());
  }
  // The recent arrivals at Kafka, for saving and restoring the canary's state.
  std::map<int64_t, double> kafka_times() const {
    std::lock_guard lock(mutex_);
    return kafka_times_;
  }
  void restore_kafka_times(const std::map<int64_t, double>& times) {
    std::lock_guard lock(mutex_);
    kafka_times_.insert(times.begin(), times.end());
  }
  std::optional<double> kafka_time(int64_t seq) const {
    std::lock_guard lock(mutex_);
    auto it = kafka_times_.find(seq);
    if (it == kafka_times_.end()) return std::nullopt;
    return it->second;
  }

 private:
  static constexpr size_t kKeep = 1000;
  mutable std::mutex mutex_;
  std::optional<double> skew_;
  std::map<int64_t, double> kafka_times_;
};

}  // namespace cdcwatch
