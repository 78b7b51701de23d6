// Lag in seconds (README.md, "Lag in seconds"): the timestamp of the record at the committed
// offset, read once per (partition, offset) for every group at once by one reader client that
// fetches from every leader broker in parallel (record_reader.h), or estimated from the high
// watermark's history.
#include <algorithm>
#include <chrono>

#include "probes/kafka_lag/kafka_lag_probe.h"
#include "probes/kafkaconn/record_reader.h"

namespace cdcwatch {
namespace {

// How long record reads stay off after the broker refused them (no READ on the topic).
constexpr auto kDeniedBackoff = std::chrono::minutes(10);
// The most one cycle spends reading records; what does not arrive is read on the next cycle
// (and meanwhile interpolated under `auto`).
constexpr auto kRecordReadBudget = std::chrono::seconds(2);

}  // namespace

bool KafkaLagProbe::reads_records(TimePoint now) const {
  switch (config_.lag_seconds_method) {
    case LagSecondsMethod::kInterpolation:
      return false;
    case LagSecondsMethod::kRecord:
      return true;
    case LagSecondsMethod::kAuto:
      return now >= record_reads_denied_until_;
  }
  return false;
}

void KafkaLagProbe::read_record_timestamps(const std::map<std::string, GroupLag>& lags,
                                           const CollectContext& ctx, TimePoint now) {
  if (config_.lag_seconds_method == LagSecondsMethod::kInterpolation) {
    timestamp_cache_.clear();  // never read: the set below would only cost (8 MB at 100k)
    return;
  }
  // Every group's lagging offsets; the cache keeps only these, so it stays as large as the lag.
  std::set<std::pair<TopicPartition, int64_t>> wanted;
  for (const auto& [group, lag] : lags) {
    for (const auto& row : lag.partitions) {
      if (row.lag > 0) wanted.emplace(row.tp, row.oldest_unconsumed);
    }
  }
  std::erase_if(timestamp_cache_, [&](const auto& cached) { return !wanted.count(cached.first); });
  too_many_to_read_.clear();
  if (!reads_records(now)) return;
  // The reader client keeps every partition of a topic it reads from, and each of its broker
  // threads walks its partitions under a lock on every wake-up: at 100,000 lagging partitions on
  // 100 topics a reader burnt 3.7-8 s of CPU a cycle and held 160 MB, and closing it took 35 s of
  // CPU (kafka_lag_bench). So `auto` reads only up to record_read_partition_limit partitions;
  // `record` reads regardless.
  if (config_.lag_seconds_method == LagSecondsMethod::kAuto) {
    std::set<std::string> topics;
    for (const auto& key : wanted) topics.insert(key.first.first);
    size_t partitions = 0;
    for (const auto& topic : topics) partitions += leaders_.count(topic);
    auto limit = static_cast<size_t>(config_.record_read_partition_limit);
    if (partitions > limit) {
      too_many_to_read_ = "the topics with lagging partitions have " + std::to_string(partitions) +
                          " partitions, more than record_read_partition_limit (" +
                          std::to_string(limit) +
                          "): lag in seconds is interpolated. Raise the limit, or set "
                          "lag_seconds_method: record, to read records anyway, at a cost in CPU "
                          "and memory";
      record_reader_.close();
      return;
    }
  }
  // A partition two groups lag on at different offsets gets its lowest unread offset this cycle
  // and the next one on the next cycle (`wanted` is in partition, then offset, order).
  std::vector<WantedRecord> unread;
  for (const auto& key : wanted) {
    if (timestamp_cache_.count(key)) continue;
    if (!unread.empty() && unread.back().tp == key.first) continue;
    const int32_t* leader = leaders_.find(key.first);
    if (!leader || *leader < 0) continue;  // no leader: nothing to fetch
    unread.push_back({key.first, key.second, *leader});
  }
  RecordReads reads = record_reader_.read(
      unread, std::min(ctx.deadline, std::chrono::system_clock::now() + kRecordReadBudget));
  timestamp_cache_.merge(reads.timestamps_ms);
  if (!reads.denied.empty()) {
    record_read_error_ = reads.denied;
    record_reads_denied_until_ = now + kDeniedBackoff;
  }
}

std::optional<KafkaLagProbe::RecordAge> KafkaLagProbe::record_age(const TopicPartition& tp,
                                                                  int64_t offset,
                                                                  TimePoint now) const {
  double now_s = to_unix_seconds(now);
  if (config_.lag_seconds_method != LagSecondsMethod::kInterpolation) {
    auto cached = timestamp_cache_.find({tp, offset});
    if (cached != timestamp_cache_.end() && cached->second > 0) {
      return RecordAge{std::max(0.0, now_s - cached->second / 1000.0), false};
    }
  }
  if (config_.lag_seconds_method == LagSecondsMethod::kRecord) return std::nullopt;
  const WatermarkHistory* history = watermark_history_.find(tp);
  if (!history) return std::nullopt;
  auto produced = history->produced_at(offset);
  if (!produced) return std::nullopt;
  return RecordAge{std::max(0.0, now_s - *produced), true};
}

}  // namespace cdcwatch
