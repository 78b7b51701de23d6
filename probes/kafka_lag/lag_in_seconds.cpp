// Lag in seconds (README.md, "Lag in seconds"): the timestamp of the record at the committed
// offset, read once per (partition, offset) in one round for every group, or estimated from the
// high watermark's history.
#include <algorithm>
#include <chrono>

#include "probes/kafka_lag/kafka_lag_probe.h"
#include "probes/kafka_lag/partition_batches.h"

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
  // One assignment reads from every leader at once; a partition two groups lag on at different
  // offsets gets its lowest unread offset this cycle and the next one on the next cycle.
  std::map<TopicPartition, int64_t> to_read;
  for (const auto& key : wanted) {
    if (!timestamp_cache_.count(key)) to_read.emplace(key.first, key.second);
  }
  if (to_read.empty()) return;
  fetch_timestamps(
      to_read, std::min(ctx.deadline, std::chrono::system_clock::now() + kRecordReadBudget), now);
}

void KafkaLagProbe::fetch_timestamps(const std::map<TopicPartition, int64_t>& wanted,
                                     TimePoint deadline, TimePoint now) {
  PartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(wanted.size())));
  for (const auto& [tp, offset] : wanted) {
    rd_kafka_topic_partition_list_add(list.get(), tp.first.c_str(), tp.second)->offset = offset;
  }
  if (rd_kafka_assign(client_.get(), list.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) return;
  size_t found = 0;
  while (found < wanted.size() && std::chrono::system_clock::now() < deadline) {
    rd_kafka_message_t* message = rd_kafka_consumer_poll(client_.get(), 100);
    if (!message) continue;
    if (message->err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED) {
      record_read_error_ = std::string("reading records is not permitted (") +
                           rd_kafka_err2str(message->err) +
                           "): grant READ on the topics, or lag in seconds is interpolated";
      record_reads_denied_until_ = now + kDeniedBackoff;
      rd_kafka_message_destroy(message);
      break;
    }
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      TopicPartition tp{rd_kafka_topic_name(message->rkt), message->partition};
      auto want = wanted.find(tp);
      // The first record at or past the wanted offset (compaction may have removed that one).
      if (want != wanted.end() && message->offset >= want->second &&
          timestamp_cache_
              .emplace(std::pair{tp, want->second}, rd_kafka_message_timestamp(message, nullptr))
              .second) {
        ++found;
      }
    }
    rd_kafka_message_destroy(message);
  }
  rd_kafka_assign(client_.get(), nullptr);
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
