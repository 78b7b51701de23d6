#include "probes/sink_truth/sink_positions.h"

#include <algorithm>

#include "agent/core/bounded_json_array.h"
#include "probes/sink_truth/sink_metrics.h"

namespace cdcwatch {
namespace {

using namespace sink_metrics;

// Restore takes at most this many; save stops at kSavedBytes of JSON, under the state store's
// 1 MiB cap (20,000 entries with Debezium-length topic names were 1.7 MB, and the store refused
// the whole state).
constexpr size_t kMaxSavedPartitions = 20000;
constexpr size_t kSavedBytes = 768 * 1024;

struct Totals {
  double lag = 0, lag_seconds_max = 0, ahead = 0, since_max = 0;
  int unknown = 0, unknown_seconds = 0, known_ahead = 0;
};

}  // namespace

double SinkPositions::seconds_since_progress(const TopicPartitionKey& partition, int64_t next,
                                             int64_t lag, TimePoint now) {
  auto [it, inserted] = progress_.try_emplace(partition, Progress{next, now});
  if (inserted || it->second.next != next || lag == 0) it->second = {next, now};
  return seconds_between(it->second.since, now);
}

Readings SinkPositions::partition_readings(
    const std::string& sink, const std::map<TopicPartitionKey, PartitionView>& partitions,
    TimePoint now) {
  Readings readings;
  Totals totals;
  for (const auto& [key, view] : partitions) {
    Labels labels = {
        {"sink", sink}, {"topic", key.first}, {"partition", std::to_string(key.second)}};
    // A position past the end of the log (the topic was recreated or truncated) measures
    // nothing about this log: unknown, not caught up.
    if (!view.warehouse_next || !view.high_watermark ||
        *view.warehouse_next > *view.high_watermark) {
      ++totals.unknown;
      continue;
    }
    int64_t next = *view.warehouse_next;
    int64_t lag = std::max<int64_t>(0, *view.high_watermark - next);
    readings.set(kCommitted, labels, static_cast<double>(next));
    readings.set(kLagMessages, labels, static_cast<double>(lag));
    totals.lag += static_cast<double>(lag);
    std::optional<double> age;
    if (lag == 0) {
      age = 0;
    } else if (view.record_timestamp_ms) {
      age = std::max(0.0, to_unix_seconds(now) - *view.record_timestamp_ms / 1000.0);
    }
    if (age) {
      readings.set(kLagSeconds, labels, *age);
      totals.lag_seconds_max = std::max(totals.lag_seconds_max, *age);
    } else {
      ++totals.unknown_seconds;
    }
    double since = seconds_since_progress(key, next, lag, now);  // 0 while caught up
    readings.set(kSecondsSinceProgress, labels, since);
    totals.since_max = std::max(totals.since_max, since);
    if (view.group_next) {
      double ahead = static_cast<double>(std::max<int64_t>(0, *view.group_next - next));
      readings.set(kGroupAhead, labels, ahead);
      totals.ahead += ahead;
      ++totals.known_ahead;
    }
  }
  Labels sink_labels = {{"sink", sink}};
  readings.set(kUnknownPartitions, sink_labels, totals.unknown);
  if (partitions.empty()) return readings;
  if (totals.unknown == 0) readings.set(kLagTotal, sink_labels, totals.lag);
  if (totals.unknown == 0 && totals.unknown_seconds == 0)
    readings.set(kLagSecondsMax, sink_labels, totals.lag_seconds_max);
  if (static_cast<size_t>(totals.unknown) < partitions.size())
    readings.set(kSinceProgressMax, sink_labels, totals.since_max);
  if (totals.known_ahead > 0) readings.set(kGroupAheadTotal, sink_labels, totals.ahead);
  return readings;
}

Readings SinkPositions::pipe_readings(const std::string& sink,
                                      const std::map<std::string, PipeStatus>& pipes,
                                      TimePoint now) {
  Readings readings;
  for (const auto& [name, pipe] : pipes) {
    Labels labels = {{"sink", sink}, {"pipe", name}};
    readings.set(kPipeRunning, labels, pipe.execution_state == "RUNNING" ? 1 : 0);
    if (pipe.last_ingest_seconds) readings.set(kLastIngest, labels, *pipe.last_ingest_seconds);
    if (!pipe.pending_files) continue;
    readings.set(kPendingFiles, labels, static_cast<double>(*pipe.pending_files));
    if (*pipe.pending_files == 0) {
      readings.set(kPipeStuckSeconds, labels, 0);
    } else if (pipe.last_ingest_seconds) {
      readings.set(kPipeStuckSeconds, labels,
                   std::max(0.0, to_unix_seconds(now) - *pipe.last_ingest_seconds));
    }
  }
  return readings;
}

nlohmann::json SinkPositions::save() const {
  BoundedJsonArray partitions(kSavedBytes);
  for (const auto& [key, progress] : progress_) {
    if (!partitions.add({{"topic", key.first},
                         {"partition", key.second},
                         {"next", progress.next},
                         {"since_ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                                          progress.since.time_since_epoch())
                                          .count()}})) {
      break;
    }
  }
  return {{"version", 1}, {"progress", partitions.take()}};
}

void SinkPositions::restore(const nlohmann::json& state) {
  if (!state.is_object() || state.value("version", 0) != 1 || !state.contains("progress") ||
      !state["progress"].is_array()) {
    return;
  }
  for (const auto& entry : state["progress"]) {
    if (progress_.size() >= kMaxSavedPartitions) break;
    if (!entry.is_object() || !entry.contains("topic") || !entry["topic"].is_string() ||
        !entry.contains("partition") || !entry["partition"].is_number_integer() ||
        !entry.contains("next") || !entry["next"].is_number_integer() ||
        !entry.contains("since_ms") || !entry["since_ms"].is_number_integer()) {
      continue;
    }
    progress_[{entry["topic"].get<std::string>(), entry["partition"].get<int32_t>()}] = {
        entry["next"].get<int64_t>(),
        TimePoint(std::chrono::milliseconds(entry["since_ms"].get<int64_t>()))};
  }
}

}  // namespace cdcwatch
