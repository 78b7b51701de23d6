#include "probes/kafka_lag/kafka_lag_probe.h"

#include <fnmatch.h>

#include <algorithm>
#include <chrono>

#include "agent/core/secrets.h"

namespace cdcwatch {
namespace {

const MetricDef kUp{"cdcwatch_kafka_up", "1 when the cluster answered metadata and offset requests"};
const MetricDef kLagMessages{"cdcwatch_kafka_consumer_lag_messages",
                             "High watermark minus committed offset (minus low watermark when the "
                             "group has no commit on the partition)"};
const MetricDef kLagSeconds{"cdcwatch_kafka_consumer_lag_seconds",
                            "Age of the oldest unconsumed record: now minus the timestamp of the "
                            "record at the committed offset; 0 without lag"};
const MetricDef kCommitted{"cdcwatch_kafka_committed_offset",
                           "The group's committed offset (the next record it will read)"};
const MetricDef kHighWatermark{"cdcwatch_kafka_high_watermark",
                               "Offset the next produced record will get"};
const MetricDef kNoCommit{"cdcwatch_kafka_partition_no_commit",
                          "1 when the group has no committed offset on the partition"};
const MetricDef kGroupLag{"cdcwatch_kafka_consumer_group_lag_messages",
                          "Sum of the group's lag over its partitions"};
const MetricDef kGroupMaxLagSeconds{"cdcwatch_kafka_consumer_group_max_lag_seconds",
                                    "Largest lag in seconds over the group's partitions"};
const MetricDef kTopicLag{"cdcwatch_kafka_consumer_topic_lag_messages",
                          "Sum of the group's lag over one topic's partitions"};
const MetricDef kPartitionStatus{"cdcwatch_kafka_partition_status",
                                 "1 on the partition's current status"};
const MetricDef kGroupStatus{"cdcwatch_kafka_consumer_group_status",
                             "1 on the group's current status (its worst partition's)"};

int remaining_ms(TimePoint deadline, const Clock& clock, int cap_ms) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock.now()).count();
  return static_cast<int>(std::clamp<int64_t>(left, 100, cap_ms));
}

}  // namespace

KafkaLagProbe::KafkaLagProbe(KafkaClusterConfig config, Millis default_interval)
    : config_(std::move(config)), interval_(config_.interval.value_or(default_interval)) {}

void KafkaLagProbe::add_groups(const std::vector<std::string>& groups) {
  std::lock_guard lock(groups_mutex_);
  extra_groups_.insert(groups.begin(), groups.end());
}

std::vector<std::string> KafkaLagProbe::groups() const {
  std::lock_guard lock(groups_mutex_);
  std::set<std::string> all(config_.consumer_groups.begin(), config_.consumer_groups.end());
  all.insert(extra_groups_.begin(), extra_groups_.end());
  return {all.begin(), all.end()};
}

bool KafkaLagProbe::wanted_topic(const std::string& topic) const {
  if (topic.starts_with("__")) return false;  // __consumer_offsets and friends
  if (config_.topics.empty()) return true;
  return std::any_of(config_.topics.begin(), config_.topics.end(), [&](const std::string& glob) {
    return fnmatch(glob.c_str(), topic.c_str(), 0) == 0;
  });
}

// One ListOffsets request per broker for all partitions (not one per partition).
std::map<KafkaLagProbe::TopicPartition, KafkaLagProbe::PartitionOffsets>
KafkaLagProbe::read_watermarks(const std::vector<TopicPartition>& partitions, int timeout_ms,
                               std::string& error) {
  std::map<TopicPartition, PartitionOffsets> out;
  for (int64_t which : {RD_KAFKA_OFFSET_END, RD_KAFKA_OFFSET_BEGINNING}) {
    rd_kafka_topic_partition_list_t* list =
        rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size()));
    for (const auto& [topic, partition] : partitions) {
      rd_kafka_topic_partition_list_add(list, topic.c_str(), partition)->offset = which;
    }
    rd_kafka_resp_err_t err = rd_kafka_offsets_for_times(client_.get(), list, timeout_ms);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      error = std::string("ListOffsets failed: ") + rd_kafka_err2str(err);
      rd_kafka_topic_partition_list_destroy(list);
      return {};
    }
    for (int i = 0; i < list->cnt; ++i) {
      const auto& tp = list->elems[i];
      if (tp.err != RD_KAFKA_RESP_ERR_NO_ERROR || tp.offset < 0) continue;
      auto& offsets = out[{tp.topic, tp.partition}];
      (which == RD_KAFKA_OFFSET_END ? offsets.high : offsets.low) = tp.offset;
    }
    rd_kafka_topic_partition_list_destroy(list);
  }
  return out;
}

std::map<KafkaLagProbe::TopicPartition, int64_t> KafkaLagProbe::read_committed(
    const std::string& group, const std::vector<TopicPartition>& partitions, int timeout_ms,
    std::string& error) {
  auto& handle = group_clients_[group];
  if (!handle) handle = make_kafka_consumer(config_, group);
  rd_kafka_topic_partition_list_t* list =
      rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size()));
  for (const auto& [topic, partition] : partitions) {
    rd_kafka_topic_partition_list_add(list, topic.c_str(), partition);
  }
  std::map<TopicPartition, int64_t> out;
  rd_kafka_resp_err_t err = rd_kafka_committed(handle.get(), list, timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    error = "OffsetFetch for group " + group + " failed: " + rd_kafka_err2str(err);
  } else {
    for (int i = 0; i < list->cnt; ++i) {
      const auto& tp = list->elems[i];
      if (tp.err == RD_KAFKA_RESP_ERR_NO_ERROR && tp.offset >= 0) {
        out[{tp.topic, tp.partition}] = tp.offset;
      }
    }
  }
  rd_kafka_topic_partition_list_destroy(list);
  return out;
}

void KafkaLagProbe::fetch_timestamps(const std::map<TopicPartition, int64_t>& wanted,
                                     TimePoint deadline) {
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
  int timeout_ms = remaining_ms(ctx.deadline, ctx.clock, static_cast<int>(config_.request_timeout.count()));
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
    for (int p = 0; p < topic.partition_cnt; ++p) partitions.emplace_back(topic.topic, topic.partitions[p].id);
  }
  rd_kafka_metadata_destroy(metadata);

  std::string error;
  auto watermarks = partitions.empty() ? std::map<TopicPartition, PartitionOffsets>{}
                                       : read_watermarks(partitions, timeout_ms, error);
  if (!error.empty()) {
    outcome.readings.set(kUp, cluster, 0);
    outcome.fail("offsets", error);
    return outcome;
  }
  outcome.readings.set(kUp, cluster, 1);
  for (const auto& [tp, offsets] : watermarks) {
    if (config_.partition_metrics) {
      outcome.readings.set(kHighWatermark, {{"kafka", config_.name}, {"topic", tp.first},
                                            {"partition", std::to_string(tp.second)}},
                           static_cast<double>(offsets.high));
    }
  }

  nlohmann::json group_status = nlohmann::json::object();
  std::set<std::tuple<std::string, std::string, int32_t>> seen;
  for (const auto& group : groups()) {
    std::string group_error;
    std::map<TopicPartition, int64_t> committed;
    try {
      committed = read_committed(group, partitions, timeout_ms, group_error);
    } catch (const std::exception& e) {
      group_error = e.what();
    }
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
    std::set<std::string> topics;
    for (const auto& [tp, offset] : committed) topics.insert(tp.first);
    if (!config_.topics.empty()) {
      for (const auto& tp : partitions) topics.insert(tp.first);
    }
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
      std::optional<int64_t> offset = it == committed.end() ? std::nullopt : std::optional(it->second);
      int64_t from = offset.value_or(offsets.low);
      int64_t lag = std::max<int64_t>(0, offsets.high - from);
      if (lag > 0) oldest_unconsumed[tp] = std::max(from, offsets.low);
      rows.push_back({tp, offset, lag});
    }
    fetch_timestamps(oldest_unconsumed, std::min(ctx.deadline, std::chrono::system_clock::now() + std::chrono::seconds(2)));

    double group_lag = 0, group_max_seconds = 0;
    std::map<std::string, double> topic_lag;
    ConsumerStatus status = ConsumerStatus::kOk;
    for (const auto& row : rows) {
      auto key = std::make_tuple(group, row.tp.first, row.tp.second);
      seen.insert(key);
      auto window = windows_.try_emplace(key, static_cast<size_t>(config_.window), config_.stop_after).first;
      window->second.observe(now, row.committed, row.lag);
      ConsumerStatus partition_status = window->second.status();
      status = worst(status, partition_status);
      double seconds = 0;
      if (row.lag > 0) {
        auto cached = timestamp_cache_.find(row.tp);
        if (cached != timestamp_cache_.end() && cached->second.first == oldest_unconsumed[row.tp] &&
            cached->second.second > 0) {
          seconds = std::max(0.0, to_unix_seconds(now) - cached->second.second / 1000.0);
        }
      }
      group_lag += static_cast<double>(row.lag);
      topic_lag[row.tp.first] += static_cast<double>(row.lag);
      group_max_seconds = std::max(group_max_seconds, seconds);
      if (!config_.partition_metrics) continue;
      Labels labels = {{"kafka", config_.name}, {"group", group}, {"topic", row.tp.first},
                       {"partition", std::to_string(row.tp.second)}};
      outcome.readings.set(kLagMessages, labels, static_cast<double>(row.lag));
      outcome.readings.set(kLagSeconds, labels, seconds);
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
    outcome.readings.set(kGroupMaxLagSeconds, group_labels, group_max_seconds);
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
    group_status[group] = {{"status", to_string(status)},
                           {"lag_messages", group_lag},
                           {"max_lag_seconds", group_max_seconds},
                           {"partitions", rows.size()}};
  }
  // Partitions and groups that went away lose their windows, as their series are gone too.
  for (auto it = windows_.begin(); it != windows_.end();) {
    it = seen.count(it->first) ? std::next(it) : windows_.erase(it);
  }
  outcome.status = {{"groups", group_status},
                    {"group_source", "configured (this broker's ListGroups is not used; "
                                     "Connect sink groups are added as connect-<name>)"},
                    {"lag_seconds_method", "timestamp of the record at the committed offset"}};
  return outcome;
}

std::unique_ptr<Probe> make_kafka_lag_probe(const KafkaClusterConfig& config,
                                            Millis default_interval) {
  return std::make_unique<KafkaLagProbe>(config, default_interval);
}

}  // namespace cdcwatch
