#include "probes/kafka_lag/consumer_status.h"

#include <algorithm>
#include <chrono>

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

int64_t to_millis(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

TimePoint from_millis(int64_t ms) { return TimePoint(std::chrono::milliseconds(ms)); }

nlohmann::json optional_millis(const std::optional<TimePoint>& t) {
  return t ? nlohmann::json(to_millis(*t)) : nlohmann::json(nullptr);
}

// [at_ms, committed or null, lag], as save() writes it; at_ms into `at`.
std::optional<PartitionWindow::Observation> parse_observation(const nlohmann::json& o,
                                                              TimePoint& at) {
  if (!o.is_array() || o.size() != 3 || !o[0].is_number_integer() ||
      !(o[1].is_null() || (o[1].is_number_integer() && o[1].get<int64_t>() >= 0)) ||
      !o[2].is_number_integer() || o[2].get<int64_t>() < 0) {
    return std::nullopt;
  }
  int64_t committed = o[1].is_null() ? PartitionWindow::kNoCommit : o[1].get<int64_t>();
  at = from_millis(o[0].get<int64_t>());
  return PartitionWindow::Observation{committed, o[2].get<int64_t>()};
}

// An absent or null clock is unknown; anything but an integer is malformed.
bool read_clock(const nlohmann::json& saved, const char* key, std::optional<TimePoint>& out) {
  auto it = saved.find(key);
  if (it == saved.end() || it->is_null()) return true;
  if (!it->is_number_integer()) return false;
  out = from_millis(it->get<int64_t>());
  return true;
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
  int64_t offset = committed.value_or(kNoCommit);
  if (window_.empty() || window_.back().committed != offset) offset_changed_at_ = at;
  if (lag == 0) caught_up_at_ = at;
  if (window_.empty()) window_.reserve(size_);
  window_.push_back({offset, lag});
  last_at_ = at;
  if (window_.size() > size_) window_.erase(window_.begin(), window_.end() - size_);
}

ConsumerStatus PartitionWindow::status() const {
  if (window_.empty()) return ConsumerStatus::kOk;
  bool lag_now = window_.back().lag > 0;  // rule 1
  if (lag_now && offsets_stopped()) return ConsumerStatus::kStop;
  bool judged = lag_now && !caught_up_in_window();  // rule 3
  if (judged && offsets_stalled()) return ConsumerStatus::kStall;
  if (offsets_rewound()) return ConsumerStatus::kRewind;
  if (judged && lag_growing()) return ConsumerStatus::kWarning;
  return ConsumerStatus::kOk;
}

// Rule 2: the stop clock runs from the later of the last offset change and the last time the
// partition was caught up, so a quiet partition that just received a record is not stopped.
bool PartitionWindow::offsets_stopped() const {
  std::optional<TimePoint> progress = offset_changed_at_;
  if (caught_up_at_ && (!progress || *caught_up_at_ > *progress)) progress = caught_up_at_;
  return progress && last_at_ - *progress > stop_after_;
}

bool PartitionWindow::caught_up_in_window() const {
  return std::any_of(window_.begin(), window_.end(),
                     [](const Observation& o) { return o.lag == 0; });
}

bool PartitionWindow::offsets_stalled() const {
  return full() && std::all_of(window_.begin(), window_.end(), [&](const Observation& o) {
           return o.committed == window_.front().committed;
         });
}

bool PartitionWindow::offsets_rewound() const {
  for (size_t i = 1; i < window_.size(); ++i) {
    int64_t before = window_[i - 1].committed;
    int64_t after = window_[i].committed;
    if (before != kNoCommit && after != kNoCommit && after < before) return true;
  }
  return false;
}

bool PartitionWindow::lag_growing() const {
  if (!full() || window_.back().lag <= window_.front().lag) return false;
  for (size_t i = 1; i < window_.size(); ++i) {
    if (window_[i].lag < window_[i - 1].lag) return false;
  }
  return true;
}

nlohmann::json PartitionWindow::save() const {
  // Each observation is written with the latest one's time (older times are not kept), so that
  // states saved before are read the same way.
  nlohmann::json observations = nlohmann::json::array();
  for (const auto& o : window_) {
    observations.push_back(
        {to_millis(last_at_),
         o.committed == kNoCommit ? nlohmann::json(nullptr) : nlohmann::json(o.committed), o.lag});
  }
  return {{"offset_changed_at_ms", optional_millis(offset_changed_at_)},
          {"caught_up_at_ms", optional_millis(caught_up_at_)},
          {"observations", observations}};
}

bool PartitionWindow::restore(const nlohmann::json& saved) {
  if (!saved.is_object() || !saved.contains("observations") || !saved["observations"].is_array()) {
    return false;
  }
  PartitionWindow restored(size_, stop_after_);
  if (!read_clock(saved, "offset_changed_at_ms", restored.offset_changed_at_) ||
      !read_clock(saved, "caught_up_at_ms", restored.caught_up_at_)) {
    return false;
  }
  for (const auto& entry : saved["observations"]) {
    TimePoint at;
    auto observation = parse_observation(entry, at);
    auto& window = restored.window_;
    if (!observation || (!window.empty() && at < restored.last_at_)) return false;
    window.push_back(*observation);
    restored.last_at_ = at;
    if (window.size() > size_) window.erase(window.begin());
  }
  *this = std::move(restored);
  return true;
}

}  // namespace cdcwatch
