// Lag in seconds (README.md, "Lag in seconds"): the timestamp of the record at the committed
// offset, read once per (partition, offset) for every group at once, in batches per leader broker
// read in parallel, or estimated from the high watermark's history.
#include <algorithm>
#include <chrono>
#include <future>

#include "probes/kafka_lag/kafka_lag_probe.h"
#include "probes/kafka_lag/partition_batches.h"
#include "probes/kafka_lag/record_reader.h"

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
  // Every group's lagging offsets; the cache keeps only these, so it stays as large as the lag.
  std::set<std::pair<TopicPartition, int64_t>> wanted;
  for (const auto& [group, lag] : lags) {
    for (const auto& row : lag.partitions) {
      if (row.lag > 0) wanted.emplace(row.tp, row.oldest_unconsumed);
    }
  }
  std::erase_if(timestamp_cache_, [&](const auto& cached) { return !wanted.count(cached.first); });
  if (!reads_records(now)) return;
  // Batches per leader broker; a partition two groups lag on at different offsets gets its lowest
  // unread offset this cycle and the next one on the next cycle.
  std::map<int32_t, std::vector<std::map<TopicPartition, int64_t>>> batches;
  for (const auto& key : wanted) {
    if (timestamp_cache_.count(key)) continue;
    auto leader = leaders_.find(key.first);
    if (leader == leaders_.end() || leader->second < 0) continue;  // no leader: nothing to fetch
    auto& by_leader = batches[leader->second];
    if (by_leader.empty() || by_leader.back().size() >= kPartitionListBatch)
      by_leader.emplace_back();
    by_leader.back().emplace(key.first, key.second);
  }
  if (batches.empty()) return;
  RecordReads reads = read_in_parallel(
      batches, std::min(ctx.deadline, std::chrono::system_clock::now() + kRecordReadBudget));
  timestamp_cache_.merge(reads.timestamps_ms);
  if (!reads.denied.empty()) {
    record_read_error_ = reads.denied;
    record_reads_denied_until_ = now + kDeniedBackoff;
  }
}

// One reader client per leader broker, all brokers at once, each going through its batches.
RecordReads KafkaLagProbe::read_in_parallel(
    const std::map<int32_t, std::vector<std::map<TopicPartition, int64_t>>>& batches,
    TimePoint deadline) {
  // Readers stay between cycles (a client costs a connection per broker and its threads); those
  // of brokers that lead nothing any more go.
  std::set<int32_t> leading;
  for (const auto& [tp, leader] : leaders_) leading.insert(leader);
  std::erase_if(record_readers_, [&](const auto& reader) { return !leading.count(reader.first); });
  std::vector<std::future<RecordReads>> pending;
  for (const auto& [leader, leader_batches] : batches) {
    auto reader = record_readers_.find(leader);
    try {
      if (reader == record_readers_.end()) {
        reader =
            record_readers_.emplace(leader, make_kafka_consumer(config_, "cdcwatch-record-reader"))
                .first;
      }
      // Captured by name: clang 14 (the fuzz build's compiler) cannot capture a structured binding.
      pending.push_back(std::async(std::launch::async, [&, consumer = reader->second.get(),
                                                        &leader_batches = leader_batches] {
        RecordReads all;
        for (const auto& batch : leader_batches) {
          if (!all.denied.empty() || std::chrono::system_clock::now() >= deadline) break;
          RecordReads reads = fetch_record_timestamps(consumer, batch, deadline);
          all.timestamps_ms.merge(reads.timestamps_ms);
          all.denied = reads.denied;
        }
        return all;
      }));
    } catch (const std::exception&) {
      // No reader this cycle (the same properties built client_, so this is a lack of threads or
      // memory): these partitions' ages are interpolated or unknown, and read next cycle.
    }
  }
  RecordReads out;
  for (auto& future : pending) {
    RecordReads reads = future.get();
    out.timestamps_ms.merge(reads.timestamps_ms);
    if (!reads.denied.empty()) out.denied = reads.denied;
  }
  return out;
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
  auto history = watermark_history_.find(tp);
  if (history == watermark_history_.end()) return std::nullopt;
  auto produced = history->second.produced_at(offset);
  if (!produced) return std::nullopt;
  return RecordAge{std::max(0.0, now_s - *produced), true};
}

}  // namespace cdcwatch
