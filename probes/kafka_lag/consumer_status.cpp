#include "probes/kafka_lag/consumer_status.h"

namespace cdcwatch {
namespace {

int severity(ConsumerStatus status) {
  switch (status) {
    case ConsumerStatus::kOk:
      return 0;
    case ConsumerStatus::kWarning:
      return 1;
    case ConsumerStatus::kRewind:
      return 2;
    case ConsumerStatus::kStall:
      return 3;
    case ConsumerStatus::kStop:
      return 4;
    case ConsumerStatus::kError:
      return 5;
  }
  return 5;
}

}  // namespace

const char* to_string(ConsumerStatus status) {
  switch (status) {
    case ConsumerStatus::kOk:
      return "ok";
    case ConsumerStatus::kWarning:
      return "warning";
    case ConsumerStatus::kRewind:
      return "rewind";
    case ConsumerStatus::kStall:
      return "stall";
    case ConsumerStatus::kStop:
      return "stop";
    case ConsumerStatus::kError:
      return "error";
  }
  return "error";
}

ConsumerStatus worst(ConsumerStatus a, ConsumerStatus b) {
  return severity(a) >= severity(b) ? a : b;
}

void PartitionWindow::observe(TimePoint at, std::optional<int64_t> committed, int64_t lag) {
  if (window_.empty() || window_.back().committed != committed) offset_changed_at_ = at;
  window_.push_back({at, committed, lag});
  while (window_.size() > size_) window_.pop_front();
}

ConsumerStatus PartitionWindow::status() const {
  if (window_.empty()) return ConsumerStatus::kOk;
  const Observation& last = window_.back();
  bool full = window_.size() >= size_;
  bool rewound = false, offset_constant = true, lag_growing = true;
  for (size_t i = 1; i < window_.size(); ++i) {
    const auto& before = window_[i - 1].committed;
    const auto& after = window_[i].committed;
    if (before && after && *after < *before) rewound = true;
    if (after != window_[0].committed) offset_constant = false;
    if (window_[i].lag < window_[i - 1].lag) lag_growing = false;
  }
  if (last.lag > 0 && offset_changed_at_ && last.at - *offset_changed_at_ > stop_after_) {
    return ConsumerStatus::kStop;
  }
  if (last.lag > 0 && full && offset_constant) return ConsumerStatus::kStall;
  if (rewound) return ConsumerStatus::kRewind;
  if (last.lag > 0 && full && lag_growing && last.lag > window_.front().lag) {
    return ConsumerStatus::kWarning;
  }
  return ConsumerStatus::kOk;
}

}  // namespace cdcwatch
