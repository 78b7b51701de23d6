// Delivers one notifier's outbox in order on its own thread. 2xx: done. 429, 5xx, 408 and network
// errors: retried with capped exponential backoff and jitter, the event staying at the head so
// nothing overtakes it. Any other 4xx: the peer will never accept it; logged, counted, dropped.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "agent/alerting/notifier.h"
#include "agent/alerting/outbox.h"
#include "agent/core/clock.h"
#include "agent/core/readings.h"

namespace cdcwatch {

class DeliveryWorker {
 public:
  DeliveryWorker(std::unique_ptr<Notifier> notifier, const std::string& outbox_dir,
                 const Clock& clock, Millis retry_max_delay);
  ~DeliveryWorker();

  void start();
  void stop();
  void enqueue(const AlertEvent& event) {
    if (notifier_->wants(event)) outbox_.push(event);
  }

  const std::string& name() const { return notifier_->name(); }
  const Outbox& outbox() const { return outbox_; }
  void append_readings(Readings& readings, TimePoint now) const;
  nlohmann::json status_json(TimePoint now) const;

 private:
  enum class Result { kDelivered, kRejected, kRetry };
  void run();
  Result deliver(const AlertEvent& event, std::string& detail);
  void count(const AlertEvent& event, const char* result);
  bool sleep_for(Millis delay);  // false when stopping

  std::unique_ptr<Notifier> notifier_;
  Outbox outbox_;
  const Clock& clock_;
  Millis retry_max_delay_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable stop_signal_;
  bool stopping_ = false;
  mutable std::mutex counts_mutex_;
  std::map<std::pair<std::string, std::string>, uint64_t> counts_;  // (event, result) -> n
  std::string last_error_;
};

}  // namespace cdcwatch
