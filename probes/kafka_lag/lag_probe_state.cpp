// What the lag probe keeps across a reload or restart (Probe::save_state): without it a restart
// during an incident would wait a whole new window before saying `stall` again, restart the stop
// clock, and lose the watermark history that lag in seconds is interpolated from.
#include <spdlog/spdlog.h>

#include "probes/kafka_lag/kafka_lag_probe.h"

namespace cdcwatch {
namespace {

constexpr int kStateVersion = 1;
// Written every cycle, so bounded: about 30 bytes per observation or point, a few MB at most.
// Windows beyond the budget keep their clocks (the stop rule) but not their observations.
constexpr size_t kMaxSavedObservations = 100'000;
constexpr size_t kMaxSavedHistoryPoints = 100'000;

int64_t to_millis(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

bool is_partition_key(const nlohmann::json& entry) {
  return entry.is_object() && entry.contains("topic") && entry["topic"].is_string() &&
         entry.contains("partition") && entry["partition"].is_number_integer();
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
  // Lagging partitions first: theirs are the windows that can turn into a page.
  std::vector<std::pair<const WindowKey*, const PartitionWindow*>> ordered;
  for (const auto& [key, window] : windows_) ordered.emplace_back(&key, &window);
  std::stable_partition(ordered.begin(), ordered.end(),
                        [](const auto& entry) { return entry.second->lagging(); });
  nlohmann::json windows = nlohmann::json::array();
  size_t observations = 0;
  for (const auto& [key, window] : ordered) {
    nlohmann::json saved = window->save();
    observations += saved["observations"].size();
    if (observations > kMaxSavedObservations) saved["observations"] = nlohmann::json::array();
    windows.push_back({{"group", std::get<0>(*key)},
                       {"topic", std::get<1>(*key)},
                       {"partition", std::get<2>(*key)},
                       {"window", std::move(saved)}});
  }
  nlohmann::json histories = nlohmann::json::array();
  size_t points = 0;
  for (const auto& [tp, history] : watermark_history_) {
    if ((points += history.size()) > kMaxSavedHistoryPoints) break;
    histories.push_back(
        {{"topic", tp.first}, {"partition", tp.second}, {"points", history.save()}});
  }
  nlohmann::json timestamps = nlohmann::json::array();
  for (const auto& [key, timestamp_ms] : timestamp_cache_) {
    timestamps.push_back({{"topic", key.first.first},
                          {"partition", key.first.second},
                          {"offset", key.second},
                          {"timestamp_ms", timestamp_ms}});
  }
  return {{"version", kStateVersion},
          {"windows", windows},
          {"watermark_histories", histories},
          {"record_timestamps", timestamps},
          {"discovered_groups", discovery_.save()},
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
  windows_.insert_or_assign(
      WindowKey{entry["group"].get<std::string>(), entry["topic"].get<std::string>(),
                entry["partition"].get<int32_t>()},
      std::move(window));
  return true;
}

bool KafkaLagProbe::restore_history(const nlohmann::json& entry) {
  WatermarkHistory history;
  if (!is_partition_key(entry) || !entry.contains("points") || !history.restore(entry["points"])) {
    return false;
  }
  watermark_history_.insert_or_assign(
      TopicPartition{entry["topic"].get<std::string>(), entry["partition"].get<int32_t>()},
      std::move(history));
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
