// What the lag probe keeps across a reload or restart (Probe::save_state): without it a restart
// during an incident would wait a whole new window before saying `stall` again, restart the stop
// clock, and lose the watermark history that lag in seconds is interpolated from.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>
#include <tuple>

#include "agent/core/bounded_json_array.h"
#include "agent/core/probe_state_store.h"
#include "probes/kafka_lag/kafka_lag_probe.h"

namespace cdcwatch {
namespace {

constexpr int kStateVersion = 1;
// The state is built after every cycle and the store keeps it only under
// ProbeStateStore::kMaxStateBytes (as JSON text). Each section fills a share of that, most urgent
// entries first, and stops at the first entry that does not fit: at 100,000 partitions a state of
// every window was 26 MB, built in 0.6 s a cycle and then refused by the store.
constexpr size_t kWindowBytes = 448 * 1024;
constexpr size_t kHistoryBytes = 256 * 1024;
constexpr size_t kTimestampBytes = 128 * 1024;
static_assert(kWindowBytes + kHistoryBytes + kTimestampBytes <
                  ProbeStateStore::kMaxStateBytes - 128 * 1024,
              "room for the discovered groups and the envelope");

int64_t to_millis(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

bool is_partition_key(const nlohmann::json& entry) {
  return entry.is_object() && entry.contains("topic") && entry["topic"].is_string() &&
         entry.contains("partition") && entry["partition"].is_number_integer() &&
         entry["partition"].get<int64_t>() >= 0 && entry["partition"].get<int64_t>() <= INT32_MAX;
}

// Hands every entry of the array saved under `key` to `take`; returns how many it refused (a
// section that is not an array counts as one).
template <typename Take>
size_t restore_section(const nlohmann::json& state, const char* key, Take take) {
  auto it = state.find(key);
  if (it == state.end()) return 0;
  if (!it->is_array()) return 1;
  size_t skipped = 0;
  for (const auto& entry : *it) skipped += take(entry) ? 0 : 1;
  return skipped;
}

}  // namespace

nlohmann::json KafkaLagProbe::save_state() const {
  // Windows that can page first: a status other than ok, then lagging ones whose stop clock has
  // run longest. A caught-up partition is ok whatever its window held.
  struct Saved {
    int urgency;  // 0 not ok, 1 lagging, 2 caught up
    TimePoint progress;
    const std::string* group;
    const std::string* topic;
    int32_t partition;
    const PartitionWindow* window;
  };
  std::vector<Saved> ordered;
  windows_.for_each([&](const std::string& group, const std::string& topic, int32_t partition,
                        const PartitionWindow& window) {
    int urgency = window.status() != ConsumerStatus::kOk ? 0 : window.lagging() ? 1 : 2;
    TimePoint progress = std::max(window.offset_changed_at().value_or(TimePoint{}),
                                  window.caught_up_at().value_or(TimePoint{}));
    ordered.push_back({urgency, progress, &group, &topic, partition, &window});
  });
  std::stable_sort(ordered.begin(), ordered.end(), [](const Saved& a, const Saved& b) {
    return std::tie(a.urgency, a.progress) < std::tie(b.urgency, b.progress);
  });
  BoundedJsonArray windows(kWindowBytes);
  std::vector<TopicPartition> lagging;  // their histories go first, in the same order
  std::set<TopicPartition> lagging_set;
  for (const auto& saved : ordered) {
    if (!windows.add({{"group", *saved.group},
                      {"topic", *saved.topic},
                      {"partition", saved.partition},
                      {"window", saved.window->save()}})) {
      break;
    }
    if (saved.urgency < 2 && lagging_set.emplace(*saved.topic, saved.partition).second) {
      lagging.emplace_back(*saved.topic, saved.partition);
    }
  }
  BoundedJsonArray histories(kHistoryBytes);
  auto add_history = [&](const TopicPartition& tp, const WatermarkHistory& history) {
    return histories.add(
        {{"topic", tp.first}, {"partition", tp.second}, {"points", history.save()}});
  };
  bool full = false;
  for (const auto& tp : lagging) {
    const WatermarkHistory* history = watermark_history_.find(tp);
    if (history && !add_history(tp, *history)) {
      full = true;
      break;
    }
  }
  watermark_history_.for_each(
      [&](const std::string& topic, int32_t partition, const WatermarkHistory& history) {
        TopicPartition tp{topic, partition};
        if (!full && !lagging_set.count(tp)) full = !add_history(tp, history);
      });
  BoundedJsonArray timestamps(kTimestampBytes);
  for (const auto& [key, timestamp_ms] : timestamp_cache_) {
    if (!timestamps.add({{"topic", key.first.first},
                         {"partition", key.first.second},
                         {"offset", key.second},
                         {"timestamp_ms", timestamp_ms}})) {
      break;
    }
  }
  return {{"version", kStateVersion},
          {"windows", windows.take()},
          {"watermark_histories", histories.take()},
          {"record_timestamps", timestamps.take()},
          {"discovered_groups", discovery_.save()},
          {"discovery_last_success_ms", discovery_.last_success()
                                            ? nlohmann::json(to_millis(*discovery_.last_success()))
                                            : nlohmann::json(nullptr)},
          {"record_reads_denied_until_ms", to_millis(record_reads_denied_until_)},
          {"record_read_error", record_read_error_}};
}

void KafkaLagProbe::restore_state(const nlohmann::json& state) {
  if (state.is_null()) return;
  auto version = state.find("version");  // end() when state is not an object
  if (!state.is_object() || version == state.end() || !version->is_number_integer() ||
      version->get<int64_t>() != kStateVersion) {
    spdlog::warn("{}: saved state has an unknown format; starting with empty windows", name());
    return;
  }
  size_t skipped =
      restore_section(state, "windows", [&](const auto& e) { return restore_window(e); }) +
      restore_section(state, "watermark_histories",
                      [&](const auto& e) { return restore_history(e); }) +
      restore_section(state, "record_timestamps",
                      [&](const auto& e) { return restore_timestamp(e); });
  if (auto discovered = state.find("discovered_groups");
      discovered != state.end() && !discovery_.restore(*discovered)) {
    ++skipped;
  }
  if (auto listed = state.find("discovery_last_success_ms");
      listed != state.end() && listed->is_number_integer()) {
    discovery_.restore_last_success(TimePoint(std::chrono::milliseconds(listed->get<int64_t>())));
  }
  auto denied = state.find("record_reads_denied_until_ms");
  auto error = state.find("record_read_error");
  if (denied != state.end() && denied->is_number_integer() && error != state.end() &&
      error->is_string()) {
    record_reads_denied_until_ = TimePoint(std::chrono::milliseconds(denied->get<int64_t>()));
    record_read_error_ = error->get<std::string>();
  }
  if (skipped > 0) {
    spdlog::warn("{}: skipped {} malformed entries of the saved state; they start afresh", name(),
                 skipped);
  }
}

bool KafkaLagProbe::restore_window(const nlohmann::json& entry) {
  PartitionWindow window(static_cast<size_t>(config_.window), config_.stop_after);
  if (!is_partition_key(entry) || !entry.contains("group") || !entry["group"].is_string() ||
      !entry.contains("window") || !window.restore(entry["window"])) {
    return false;
  }
  windows_.put(entry["group"].get<std::string>(), entry["topic"].get<std::string>(),
               entry["partition"].get<int32_t>(), std::move(window));
  return true;
}

bool KafkaLagProbe::restore_history(const nlohmann::json& entry) {
  WatermarkHistory history;
  if (!is_partition_key(entry) || !entry.contains("points") || !history.restore(entry["points"])) {
    return false;
  }
  watermark_history_.make(entry["topic"].get<std::string>(), entry["partition"].get<int32_t>()) =
      std::move(history);
  return true;
}

bool KafkaLagProbe::restore_timestamp(const nlohmann::json& entry) {
  if (!is_partition_key(entry) || !entry.contains("offset") ||
      !entry["offset"].is_number_integer() || !entry.contains("timestamp_ms") ||
      !entry["timestamp_ms"].is_number_integer()) {
    return false;
  }
  TopicPartition tp{entry["topic"].get<std::string>(), entry["partition"].get<int32_t>()};
  timestamp_cache_[{tp, entry["offset"].get<int64_t>()}] = entry["timestamp_ms"].get<int64_t>();
  return true;
}

}  // namespace cdcwatch
