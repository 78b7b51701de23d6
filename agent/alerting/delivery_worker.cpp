#include "agent/alerting/delivery_worker.h"

#include <spdlog/spdlog.h>

#include "agent/core/backoff.h"
#include "agent/core/secrets.h"

namespace cdcwatch {
namespace {

const MetricDef kNotifications{"cdcwatch_notifications_total",
                               "Notification attempts by notifier, event (trigger, resolve) and "
                               "result (delivered, rejected, retry)",
                               MetricType::kCounter};
const MetricDef kQueueDepth{"cdcwatch_notification_queue_depth",
                            "Events waiting in the notifier's outbox"};
const MetricDef kOldestPending{"cdcwatch_notification_oldest_pending_seconds",
                               "Age of the oldest event not yet accepted by the notifier; 0 when "
                               "the outbox is empty"};
const MetricDef kOutboxDurable{"cdcwatch_notification_outbox_durable",
                               "1 when the notifier's outbox is written to state_dir, 0 when "
                               "state_dir cannot be written and pages are held in memory only"};

const MetricDef kOutboxQuarantined{
    "cdcwatch_notification_outbox_quarantined_total",
    "Damaged page files of the notifier's outbox moved aside (renamed "
    "to .corrupt) at load; the other pages were sent",
    MetricType::kCounter};

constexpr Millis kIdleWait{1000};

}  // namespace

DeliveryWorker::DeliveryWorker(std::unique_ptr<Notifier> notifier, const std::string& outbox_dir,
                               const Clock& clock, Millis retry_max_delay)
    : notifier_(std::move(notifier)),
      outbox_(outbox_dir),
      clock_(clock),
      retry_max_delay_(retry_max_delay) {}

DeliveryWorker::~DeliveryWorker() { stop(); }

void DeliveryWorker::start() {
  thread_ = std::thread([this] { run(); });
}

void DeliveryWorker::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_signal_.notify_all();
  outbox_.wake();
  if (thread_.joinable()) thread_.join();
}

bool DeliveryWorker::sleep_for(Millis delay) {
  std::unique_lock lock(mutex_);
  return !stop_signal_.wait_for(lock, delay, [this] { return stopping_; });
}

void DeliveryWorker::run() {
  Backoff backoff(Millis(1000), retry_max_delay_);
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    auto entry = outbox_.front();
    if (!entry) {
      outbox_.wait(kIdleWait);
      continue;
    }
    std::string detail;
    Result result = deliver(entry->event, detail);
    if (result == Result::kRetry) {
      Millis delay = backoff.next_delay();
      spdlog::warn("{}: {} {} not delivered ({}); retry {} in {} ms", name(),
                   entry->event.action_name(), entry->event.dedup_key, detail, backoff.failures(),
                   delay.count());
      if (!sleep_for(delay)) return;
      continue;
    }
    backoff.reset();
    outbox_.pop(entry->seq);
    if (result == Result::kRejected) {
      spdlog::error("{}: {} {} rejected by the peer, not retried: {}", name(),
                    entry->event.action_name(), entry->event.dedup_key, detail);
    } else {
      spdlog::info("{}: {} {} delivered", name(), entry->event.action_name(),
                   entry->event.dedup_key);
    }
  }
}

DeliveryWorker::Result DeliveryWorker::deliver(const AlertEvent& event, std::string& detail) {
  HttpResponse response = send_http(notifier_->request_for(event));
  detail = response.transport_ok()
               ? scrub_secrets(notifier_->describe_answer(response.status, response.body))
               : response.error;
  Result result = response.success() ? Result::kDelivered
                  : !response.transport_ok() || response.status == 429 || response.status == 408 ||
                          response.status >= 500
                      ? Result::kRetry
                      : Result::kRejected;
  count(event, result == Result::kDelivered  ? "delivered"
               : result == Result::kRejected ? "rejected"
                                             : "retry");
  if (result != Result::kDelivered) {
    std::lock_guard lock(counts_mutex_);
    last_error_ = detail;
  }
  return result;
}

void DeliveryWorker::count(const AlertEvent& event, const char* result) {
  std::lock_guard lock(counts_mutex_);
  ++counts_[{event.action_name(), result}];
}

void DeliveryWorker::append_readings(Readings& readings, TimePoint now) const {
  {
    std::lock_guard lock(counts_mutex_);
    for (const char* event : {"trigger", "resolve"}) {
      for (const char* result : {"delivered", "rejected", "retry"}) {
        auto it = counts_.find({event, result});
        readings.set(kNotifications, {{"notifier", name()}, {"event", event}, {"result", result}},
                     it == counts_.end() ? 0 : static_cast<double>(it->second));
      }
    }
  }
  Labels notifier = {{"notifier", name()}};
  readings.set(kQueueDepth, notifier, static_cast<double>(outbox_.size()));
  auto oldest = outbox_.oldest_created_at();
  readings.set(kOldestPending, notifier, oldest ? std::max(0.0, seconds_between(*oldest, now)) : 0);
  readings.set(kOutboxDurable, notifier, outbox_.durable() ? 1 : 0);
  readings.set(kOutboxQuarantined, notifier, static_cast<double>(outbox_.quarantined()));
}

nlohmann::json DeliveryWorker::status_json(TimePoint now) const {
  auto oldest = outbox_.oldest_created_at();
  std::lock_guard lock(counts_mutex_);
  nlohmann::json out = {{"notifier", name()},
                        {"queued", outbox_.size()},
                        {"oldest_pending_seconds", oldest ? seconds_between(*oldest, now) : 0.0},
                        {"outbox", outbox_.dir()},
                        {"durable", outbox_.durable()}};
  if (!outbox_.durable()) out["outbox_problem"] = outbox_.problem();
  if (!last_error_.empty()) out["last_error"] = last_error_;
  return out;
}

}  // namespace cdcwatch
