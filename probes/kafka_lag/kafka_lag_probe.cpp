#include "probes/kafka_lag/kafka_lag_probe.h"

#include <fnmatch.h>

#include <algorithm>
#include <chrono>

#include "agent/core/secrets.h"
#include "probes/kafka_lag/lag_metrics.h"
#include "probes/kafka_lag/partition_batches.h"

namespace cdcwatch {
namespace {

using namespace kafka_lag_metrics;

// How long record reads stay off after the broker refused them (no READ on the topic).
constexpr auto kDeniedBackoff = std::chrono::minutes(10);

}  // namespace

KafkaLagProbe::KafkaLagProbe(KafkaClusterConfig config, Millis default_interval)
    : config_(std::move(config)),
      interval_(config_.interval.value_or(default_interval)),
      committed_reader_(config_) {}

void KafkaLagProbe::set_learnt_groups(const std::string& source,
                                      const std::vector<std::string>& groups) {
  std::lock_guard lock(groups_mutex_);
  learnt_groups_[source] = groups;
}

uint64_t KafkaLagProbe::requests_sent() {
  return (client_ ? cdcwatch::requests_sent(client_.get()) : 0) + committed_reader_.requests_sent();
}

std::vector<std::string> KafkaLagProbe::groups() const {
  std::lock_guard lock(groups_mutex_);
  std::set<std::string> all(config_.consumer_groups.begin(), config_.consumer_groups.end());
  for (const auto& [source, groups] : learnt_groups_) all.insert(groups.begin(), groups.end());
  return {all.begin(), all.end()};
}

bool KafkaLagProbe::wanted_topic(const std::string& topic) const {
  if (topic.starts_with("__")) return false;  // __consumer_offsets and friends
  if (config_.topics.empty()) return true;
  return std::any_of(config_.topics.begin(), config_.topics.end(), [&](const std::string& glob) {
    return fnmatch(glob.c_str(), topic.c_str(), 0) == 0;
  });
}

// ListOffsets per batch (partition_batches.h): each batch is one request per leader broker.
bool KafkaLagProbe::read_watermarks(const std::vector<TopicPartition>& partitions, bool high,
                                    int timeout_ms, std::map<TopicPartition, PartitionOffsets>& out,
                                    std::string& error) {
  if (!error.empty()) return false;
  for (const PartitionList& batch :
       partition_batches(partitions, high ? RD_KAFKA_OFFSET_END : RD_KAFKA_OFFSET_BEGINNING)) {
    rd_kafka_resp_err_t err = rd_kafka_offsets_for_times(client_.get(), batch.get(), timeout_ms);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      error = std::string("ListOffsets failed: ") + rd_kafka_err2str(err);
      return false;
    }
    for (int i = 0; i < batch->cnt; ++i) {
      const auto& tp = batch->elems[i];
      if (tp.err != RD_KAFKA_RESP_ERR_NO_ERROR || tp.offset < 0) continue;
      if (high) {
        out[{tp.topic, tp.partition}].high = tp.offset;
      } else if (auto it = out.find({tp.topic, tp.partition}); it != out.end()) {
        it->second.low = tp.offset;
      }
    }
  }
  return true;
}

std::map<std::string, KafkaLagProbe::GroupOffsets> KafkaLagProbe::read_committed(
    const std::vector<std::string>& groups, const std::vector<TopicPartition>& partitions,
    int timeout_ms) {
  // Each group is asked for the topics it was last seen committing on, and for every partition on
  // every tenth cycle or while nothing is known (OffsetFetch answers only the listed partitions).
  bool full_scan = cycles_++ % 10 == 0;
  std::map<std::string, std::vector<TopicPartition>> wanted;
  for (const auto& group : groups) {
    const auto& known = group_topics_[group];
    auto& list = wanted[group];
    for (const auto& tp : partitions) {
      if (full_scan || known.empty() || known.count(tp.first)) list.push_back(tp);
    }
  }
  std::map<std::string, GroupOffsets> out = committed_reader_.read(wanted, timeout_ms);
  std::map<std::string, std::set<std::string>> seen_on;  // groups no longer watched drop out
  for (const auto& [group, offsets] : out) {
    auto& topics = seen_on[group];
    if (!offsets.error.empty()) topics = std::move(group_topics_[group]);
    for (const auto& [tp, offset] : offsets.committed) topics.insert(tp.first);
  }
  group_topics_ = std::move(seen_on);
  return out;
}

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

void KafkaLagProbe::fetch_timestamps(const std::map<TopicPartition, int64_t>& wanted,
                                     TimePoint deadline, TimePoint now) {
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
  size_t missing = 0;
  for (const auto& [tp, offset] : wanted) {
    auto cached = timestamp_cache_.find(tp);
    if (cached != timestamp_cache_.end() && cached->second.first == offset) continue;
    rd_kafka_topic_partition_list_add(list, tp.first.c_str(), tp.second)->offset = offset;
    ++missing;
  }
  if (missing > 0 && rd_kafka_assign(client_.get(), list) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    size_t found = 0;
    while (found < missing && std::chrono::system_clock::now() < deadline) {
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
        auto& slot = timestamp_cache_[tp];
        if (want != wanted.end() && message->offset >= want->second && slot.first != want->second) {
          slot = {want->second, rd_kafka_message_timestamp(message, nullptr)};
          ++found;
        }
      }
      rd_kafka_message_destroy(message);
    }
    rd_kafka_assign(client_.get(), nullptr);
  }
  rd_kafka_topic_partition_list_destroy(list);
}

std::optional<KafkaLagProbe::RecordAge> KafkaLagProbe::record_age(const TopicPartition& tp,
                                                                  int64_t offset,
                                                                  TimePoint now) const {
  double now_s = to_unix_seconds(now);
  if (config_.lag_seconds_method != LagSecondsMethod::kInterpolation) {
    auto cached = timestamp_cache_.find(tp);
    if (cached != timestamp_cache_.end() && cached->second.first == offset &&
        cached->second.second > 0) {
      return RecordAge{std::max(0.0, now_s - cached->second.second / 1000.0), false};
    }
  }
  if (config_.lag_seconds_method == LagSecondsMethod::kRecord) return std::nullopt;
  auto history = watermark_history_.find(tp);
  if (history == watermark_history_.end()) return std::nullopt;
  auto produced = history->second.produced_at(offset);
  if (!produced) return std::nullopt;
  return RecordAge{std::max(0.0, now_s - *produced), true};
}

CollectOutcome KafkaLagProbe::collect(const CollectContext& ctx) {
  CollectOutcome outcome;
  Labels cluster = {{"kafka", config_.name}};
  TimePoint now = ctx.clock.now();
  try {
    if (!client_) client_ = make_kafka_consumer(config_, "cdcwatch-offset-reader");
  } catch (const std::exception& e) {
    outcome.readings.set(kUp, cluster, 0);
    outcome.fail("config", e.what());
    return outcome;
  }
  int timeout_ms =
      static_cast<int>(time_left(ctx.deadline, ctx.clock, config_.request_timeout).count());
  const rd_kafka_metadata_t* metadata = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(client_.get(), 1, nullptr, &metadata, timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    outcome.readings.set(kUp, cluster, 0);
    outcome.fail("connect", "cannot read metadata from " + config_.bootstrap_servers + ": " +
                                rd_kafka_err2str(err) + "; check bootstrap_servers and properties");
    return outcome;
  }
  std::vector<TopicPartition> partitions;
  for (int t = 0; t < metadata->topic_cnt; ++t) {
    const auto& topic = metadata->topics[t];
    if (topic.err != RD_KAFKA_RESP_ERR_NO_ERROR || !wanted_topic(topic.topic)) continue;
    for (int p = 0; p < topic.partition_cnt; ++p)
      partitions.emplace_back(topic.topic, topic.partitions[p].id);
  }
  rd_kafka_metadata_destroy(metadata);

  std::map<std::string, GroupOffsets> all_committed =
      read_committed(groups(), partitions, timeout_ms);
  // The topics each group is counted on: those it committed on, or every watched topic when a
  // topics: filter says which (a partition it never committed on then lags from the low watermark).
  std::map<std::string, std::set<std::string>> group_topics;
  for (const auto& [group, offsets] : all_committed) {
    auto& topics = group_topics[group];
    for (const auto& [tp, offset] : offsets.committed) topics.insert(tp.first);
    if (!config_.topics.empty()) {
      for (const auto& tp : partitions) topics.insert(tp.first);
    }
  }
  std::vector<TopicPartition> uncommitted;  // only these need the low watermark
  for (const auto& tp : partitions) {
    for (const auto& [group, topics] : group_topics) {
      if (topics.count(tp.first) && !all_committed[group].committed.count(tp)) {
        uncommitted.push_back(tp);
        break;
      }
    }
  }
  std::string error;
  std::map<TopicPartition, PartitionOffsets> watermarks;
  if (!read_watermarks(partitions, true, timeout_ms, watermarks, error) ||
      !read_watermarks(uncommitted, false, timeout_ms, watermarks, error)) {
    outcome.readings.set(kUp, cluster, 0);
    outcome.fail("offsets", error);
    return outcome;
  }
  outcome.readings.set(kUp, cluster, 1);
  for (auto it = watermark_history_.begin(); it != watermark_history_.end();) {
    it = watermarks.count(it->first) ? std::next(it) : watermark_history_.erase(it);
  }
  for (const auto& [tp, offsets] : watermarks) {
    watermark_history_[tp].observe(offsets.high, to_unix_seconds(now));
    if (config_.partition_metrics) {
      outcome.readings.set(
          kHighWatermark,
          {{"kafka", config_.name}, {"topic", tp.first}, {"partition", std::to_string(tp.second)}},
          static_cast<double>(offsets.high));
    }
  }

  nlohmann::json group_status = nlohmann::json::object();
  std::set<std::tuple<std::string, std::string, int32_t>> seen;
  for (const auto& [group, group_offsets] : all_committed) {
    const std::string& group_error = group_offsets.error;
    const auto& committed = group_offsets.committed;
    Labels group_labels = {{"kafka", config_.name}, {"group", group}};
    if (!group_error.empty()) {
      for (ConsumerStatus s : kAllConsumerStatuses) {
        Labels labels = group_labels;
        labels.emplace_back("status", to_string(s));
        outcome.readings.set(kGroupStatus, labels, s == ConsumerStatus::kError ? 1 : 0);
      }
      group_status[group] = {{"status", "error"}, {"error", scrub_secrets(group_error)}};
      outcome.fail("offsets", group_error);
      continue;
    }
    const std::set<std::string>& topics = group_topics[group];
    // Where the oldest unconsumed record sits, for lag in seconds.
    std::map<TopicPartition, int64_t> oldest_unconsumed;
    struct Row {
      TopicPartition tp;
      std::optional<int64_t> committed;
      int64_t lag;
    };
    std::vector<Row> rows;
    for (const auto& [tp, offsets] : watermarks) {
      if (!topics.count(tp.first)) continue;
      auto it = committed.find(tp);
      std::optional<int64_t> offset =
          it == committed.end() ? std::nullopt : std::optional(it->second);
      int64_t from = offset.value_or(offsets.low);
      int64_t lag = std::max<int64_t>(0, offsets.high - from);
      if (lag > 0) oldest_unconsumed[tp] = std::max(from, offsets.low);
      rows.push_back({tp, offset, lag});
    }
    if (reads_records(now) && !oldest_unconsumed.empty()) {
      fetch_timestamps(
          oldest_unconsumed,
          std::min(ctx.deadline, std::chrono::system_clock::now() + std::chrono::seconds(2)), now);
    }

    double group_lag = 0, group_max_seconds = 0;
    std::map<std::string, double> topic_lag;
    ConsumerStatus status = ConsumerStatus::kOk;
    int interpolated = 0, unknown_age = 0;
    for (const auto& row : rows) {
      auto key = std::make_tuple(group, row.tp.first, row.tp.second);
      seen.insert(key);
      auto window =
          windows_.try_emplace(key, static_cast<size_t>(config_.window), config_.stop_after).first;
      window->second.observe(now, row.committed, row.lag);
      ConsumerStatus partition_status = window->second.status();
      status = worst(status, partition_status);
      // A caught-up partition is 0 s behind; a lagging one whose age is unknown has no figure.
      std::optional<double> seconds;
      if (row.lag == 0) {
        seconds = 0.0;
      } else if (auto age = record_age(row.tp, oldest_unconsumed[row.tp], now)) {
        seconds = age->seconds;
        if (age->interpolated) ++interpolated;
      } else {
        ++unknown_age;
      }
      group_lag += static_cast<double>(row.lag);
      topic_lag[row.tp.first] += static_cast<double>(row.lag);
      if (seconds) group_max_seconds = std::max(group_max_seconds, *seconds);
      if (!config_.partition_metrics) continue;
      Labels labels = {{"kafka", config_.name},
                       {"group", group},
                       {"topic", row.tp.first},
                       {"partition", std::to_string(row.tp.second)}};
      outcome.readings.set(kLagMessages, labels, static_cast<double>(row.lag));
      if (seconds) outcome.readings.set(kLagSeconds, labels, *seconds);
      if (row.committed) {
        outcome.readings.set(kCommitted, labels, static_cast<double>(*row.committed));
      }
      outcome.readings.set(kNoCommit, labels, row.committed ? 0 : 1);
      for (ConsumerStatus s : kAllConsumerStatuses) {
        Labels with_status = labels;
        with_status.emplace_back("status", to_string(s));
        outcome.readings.set(kPartitionStatus, with_status, s == partition_status ? 1 : 0);
      }
    }
    outcome.readings.set(kGroupLag, group_labels, group_lag);
    // The largest of the known ages is only a lower bound while some lagging partition's age is
    // unknown: absent, so that it cannot clear CdcConsumerLagHigh.
    std::optional<double> max_seconds;
    if (unknown_age == 0) max_seconds = group_max_seconds;
    if (max_seconds) outcome.readings.set(kGroupMaxLagSeconds, group_labels, *max_seconds);
    double committed_sum = 0;
    for (const auto& [tp, offset] : committed) committed_sum += static_cast<double>(offset);
    outcome.readings.set(kGroupCommittedOffsets, group_labels, committed_sum);
    outcome.readings.set(kGroupCommittedSumDeprecated, group_labels, committed_sum);
    outcome.readings.set(kInterpolated, group_labels, interpolated);
    outcome.readings.set(kLagSecondsUnknown, group_labels, unknown_age);
    for (const auto& [topic, lag] : topic_lag) {
      Labels labels = group_labels;
      labels.emplace_back("topic", topic);
      outcome.readings.set(kTopicLag, labels, lag);
    }
    for (ConsumerStatus s : kAllConsumerStatuses) {
      Labels labels = group_labels;
      labels.emplace_back("status", to_string(s));
      outcome.readings.set(kGroupStatus, labels, s == status ? 1 : 0);
    }
    group_status[group] = {
        {"status", to_string(status)},
        {"lag_messages", group_lag},
        {"max_lag_seconds", max_seconds ? nlohmann::json(*max_seconds) : nlohmann::json(nullptr)},
        {"partitions", rows.size()},
        {"lag_seconds_interpolated_partitions", interpolated},
        {"lag_seconds_unknown_partitions", unknown_age}};
  }
  // Partitions and groups that went away lose their windows, as their series are gone too.
  for (auto it = windows_.begin(); it != windows_.end();) {
    it = seen.count(it->first) ? std::next(it) : windows_.erase(it);
  }
  outcome.status = {{"groups", group_status},
                    {"group_source",
                     "configured (this broker's ListGroups is not used; "
                     "Connect sink groups are added as connect-<name>)"},
                    {"lag_seconds_method", to_string(config_.lag_seconds_method)}};
  if (!reads_records(now) && config_.lag_seconds_method == LagSecondsMethod::kAuto) {
    outcome.status["lag_seconds_fallback"] = record_read_error_;
  }
  return outcome;
}

std::unique_ptr<Probe> make_kafka_lag_probe(const KafkaClusterConfig& config,
                                            Millis default_interval) {
  return std::make_unique<KafkaLagProbe>(config, default_interval);
}

}  // namespace cdcwatch
