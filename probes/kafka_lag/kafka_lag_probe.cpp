#include "probes/kafka_lag/kafka_lag_probe.h"

#include <fnmatch.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <unordered_map>

#include "agent/core/secrets.h"
#include "probes/kafka_lag/lag_metrics.h"
#include "probes/kafkaconn/partition_batches.h"

namespace cdcwatch {
namespace {

using namespace kafka_lag_metrics;

// The partitions that some group is counted on but has no commit on: only these need their low
// watermark. Each partition is looked at once, with the groups counted on its topic (at 100,000
// partitions and 100 groups, asking every group about every partition was 10 million lookups).
std::vector<TopicPartition> uncommitted_partitions(
    const std::vector<TopicPartition>& partitions,
    const std::map<std::string, std::set<std::string>>& topics,
    const std::map<std::string, CommittedOffsetsReader::GroupOffsets>& committed) {
  std::unordered_map<std::string, std::vector<const PartitionTable<int64_t>*>> counting;
  for (const auto& [group, group_topics] : topics) {
    const auto& offsets = committed.at(group);
    if (!offsets.error.empty()) continue;
    for (const auto& topic : group_topics) counting[topic].push_back(&offsets.committed);
  }
  std::vector<TopicPartition> out;
  for (const auto& tp : partitions) {
    auto groups = counting.find(tp.first);
    if (groups == counting.end()) continue;
    if (std::any_of(groups->second.begin(), groups->second.end(),
                    [&](const auto* commits) { return !commits->contains(tp); })) {
      out.push_back(tp);
    }
  }
  return out;
}

}  // namespace

KafkaLagProbe::KafkaLagProbe(KafkaClusterConfig config, Millis default_interval)
    : config_(std::move(config)),
      interval_(config_.interval.value_or(default_interval)),
      committed_reader_(config_),
      record_reader_(config_),
      discovery_(config_.discover_groups, config_.discovery_interval),
      windows_(static_cast<size_t>(config_.window), config_.stop_after) {}

void KafkaLagProbe::set_learnt_groups(const std::string& source,
                                      const std::vector<std::string>& groups) {
  std::lock_guard lock(groups_mutex_);
  learnt_groups_[source] = groups;
}

WireCounts KafkaLagProbe::wire_counts() const {
  WireCounts sum = committed_reader_.wire_counts();
  if (client_) sum += cdcwatch::wire_counts(client_.get());
  if (discovery_client_) sum += cdcwatch::wire_counts(discovery_client_.get());
  sum += record_reader_.wire_counts();
  return sum;
}

std::vector<std::string> KafkaLagProbe::groups() const {
  std::lock_guard lock(groups_mutex_);
  std::set<std::string> all(config_.consumer_groups.begin(), config_.consumer_groups.end());
  for (const auto& [source, groups] : learnt_groups_) all.insert(groups.begin(), groups.end());
  for (const auto& group : discovery_.groups()) all.insert(group);
  return {all.begin(), all.end()};
}

bool KafkaLagProbe::wanted_topic(const std::string& topic) const {
  if (topic.starts_with("__")) return false;  // __consumer_offsets and friends
  if (config_.topics.empty()) return true;
  return std::any_of(config_.topics.begin(), config_.topics.end(), [&](const std::string& glob) {
    return fnmatch(glob.c_str(), topic.c_str(), 0) == 0;
  });
}

// ListOffsets per batch (partition_batches.h): each batch is one request per leader broker. The
// answers of a batch whose call failed are not kept.
rd_kafka_resp_err_t KafkaLagProbe::list_offsets(const std::vector<TopicPartition>& partitions,
                                                bool high, int timeout_ms,
                                                PartitionTable<PartitionOffsets>& out) {
  return cdcwatch::list_offsets(
      client_.get(), partitions, high ? RD_KAFKA_OFFSET_END : RD_KAFKA_OFFSET_BEGINNING,
      [&] { return timeout_ms; },
      [&](const rd_kafka_topic_partition_t& tp) {
        if (tp.err != RD_KAFKA_RESP_ERR_NO_ERROR || tp.offset < 0) return;
        if (high) {
          out.make(tp.topic, tp.partition).high = tp.offset;
        } else if (PartitionOffsets* offsets = out.find(tp.topic, tp.partition)) {
          offsets->low = tp.offset;
        }
      });
}

// One leader refusing (no Describe on a topic) fails librdkafka's whole call and drops the other
// leaders' answers: the leaders are then asked one by one, so that only the refusing leader's
// partitions go unknown (a group none of whose partitions is answered is `unknown`). Only a
// broker's refusal (a Kafka error code, > 0) is asked again: librdkafka's own errors (timeout,
// transport) would cost the cycle's time once more. Nothing answered at all fails the cycle.
bool KafkaLagProbe::read_watermarks(const std::vector<TopicPartition>& partitions, bool high,
                                    int timeout_ms, PartitionTable<PartitionOffsets>& out,
                                    std::string& error) {
  if (!error.empty()) return false;
  rd_kafka_resp_err_t err = list_offsets(partitions, high, timeout_ms, out);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return true;
  std::map<int32_t, std::vector<TopicPartition>> by_leader;
  if (err > RD_KAFKA_RESP_ERR_NO_ERROR) {
    for (const auto& tp : partitions) {
      const int32_t* leader = leaders_.find(tp);
      by_leader[leader ? *leader : -1].push_back(tp);
    }
  }
  size_t unanswered = 0;
  for (const auto& [leader, led] : by_leader) {
    if (list_offsets(led, high, timeout_ms, out) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      unanswered += led.size();
    }
  }
  if (by_leader.empty() || unanswered == partitions.size()) {
    error = std::string("ListOffsets failed: ") + rd_kafka_err2str(err);
    return false;
  }
  if (unanswered == 0) return true;
  watermarks_unanswered_ = "ListOffsets failed for " + std::to_string(unanswered) +
                           " partitions (" + rd_kafka_err2str(err) +
                           "): their lag is unknown. Check their leader brokers and that cdcwatch "
                           "may Describe those topics";
  return true;
}

std::map<std::string, KafkaLagProbe::GroupOffsets> KafkaLagProbe::read_committed(
    const std::vector<std::string>& groups, const std::vector<TopicPartition>& partitions,
    int timeout_ms) {
  // Each group is asked for the topics it is counted on and a rolling slice of the other
  // partitions (rolling_scan.h).
  std::map<std::string, std::vector<TopicPartition>> asked =
      scan_.plan(partitions, group_topics_, groups);
  std::map<std::string, std::span<const TopicPartition>> wanted;
  for (const auto& [group, list] : asked) wanted[group] = list;
  std::map<std::string, GroupOffsets> out = committed_reader_.read(wanted, timeout_ms);
  update_group_topics(out, partitions);
  read_rest_of_new_topics(partitions, timeout_ms, out);
  return out;
}

// A topic first found in this cycle's slice: its other partitions at once, not next cycle, so
// that none of them is taken for a partition without a commit.
void KafkaLagProbe::read_rest_of_new_topics(const std::vector<TopicPartition>& partitions,
                                            int timeout_ms,
                                            std::map<std::string, GroupOffsets>& committed) {
  auto unasked = scan_.unasked_of_new_topics(partitions, group_topics_);
  if (std::all_of(unasked.begin(), unasked.end(), [](const auto& g) { return g.second.empty(); })) {
    return;
  }
  // Every group, most with nothing to ask: the reader closes the clients of groups not named.
  std::map<std::string, std::span<const TopicPartition>> wanted;
  for (const auto& [group, list] : unasked) wanted[group] = list;
  for (auto& [group, offsets] : committed_reader_.read(wanted, timeout_ms)) {
    auto& into = committed[group];
    if (!offsets.error.empty() && into.error.empty()) into.error = offsets.error;
    offsets.committed.for_each([&](const std::string& topic, int32_t partition, int64_t offset) {
      into.committed.make(topic, partition) = offset;
    });
  }
}

CollectOutcome KafkaLagProbe::collect(const CollectContext& ctx) {
  CollectOutcome outcome;
  TimePoint now = ctx.clock.now();
  int timeout_ms =
      static_cast<int>(time_left(ctx.deadline, ctx.clock, config_.request_timeout).count());
  std::vector<TopicPartition> partitions;
  if (!connect(outcome) || !read_partitions(timeout_ms, partitions, outcome)) return outcome;
  discover_groups(now, timeout_ms, outcome);
  std::map<std::string, GroupOffsets> committed = read_committed(groups(), partitions, timeout_ms);
  PartitionTable<PartitionOffsets> watermarks;
  if (!read_all_watermarks(partitions, uncommitted_partitions(partitions, group_topics_, committed),
                           timeout_ms, watermarks, outcome)) {
    return outcome;
  }
  observe_watermarks(watermarks, now, outcome.readings);

  std::map<std::string, GroupLag> lags;
  for (const auto& [group, offsets] : committed) {
    if (offsets.error.empty()) {
      lags[group] = group_lag(partitions, group_topics_[group], offsets.committed, watermarks);
    }
  }
  read_record_timestamps(lags, ctx, now);
  nlohmann::json group_status = judge_groups(committed, lags, now, outcome);
  outcome.status = {{"groups", group_status},
                    {"groups_unknown", count_unknown(group_status)},
                    {"group_source",
                     "configured, Connect sink groups as connect-<name>, and groups listed from "
                     "the brokers matching discover_groups"},
                    {"lag_seconds_method", to_string(config_.lag_seconds_method)}};
  if (!watermarks_unanswered_.empty()) outcome.status["watermarks"] = watermarks_unanswered_;
  if (discovery_.enabled()) outcome.status["discovery"] = discovery_.describe();
  if (!reads_records(now) && config_.lag_seconds_method == LagSecondsMethod::kAuto) {
    outcome.status["lag_seconds_fallback"] = record_read_error_;
  } else if (!too_many_to_read_.empty()) {
    outcome.status["lag_seconds_fallback"] = too_many_to_read_;
  }
  return outcome;
}

bool KafkaLagProbe::connect(CollectOutcome& outcome) {
  try {
    if (!client_) client_ = make_kafka_consumer(config_, "cdcwatch-offset-reader");
    // Its own connections: a broker holding a slow group listing must not hold up the watermark
    // requests queued behind it (a connection answers in order).
    if (!discovery_client_ && discovery_.enabled()) {
      discovery_client_ = make_kafka_consumer(config_, "cdcwatch-group-discovery");
    }
    return true;
  } catch (const std::exception& e) {
    outcome.readings.set(kUp, {{"kafka", config_.name}}, 0);
    outcome.fail("config", e.what());
    return false;
  }
}

bool KafkaLagProbe::read_partitions(int timeout_ms, std::vector<TopicPartition>& out,
                                    CollectOutcome& outcome) {
  const rd_kafka_metadata_t* metadata = nullptr;
  leaders_.clear();
  rd_kafka_resp_err_t err = rd_kafka_metadata(client_.get(), 1, nullptr, &metadata, timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    outcome.readings.set(kUp, {{"kafka", config_.name}}, 0);
    outcome.fail("connect", "cannot read metadata from " + config_.bootstrap_servers + ": " +
                                rd_kafka_err2str(err) + "; check bootstrap_servers and properties");
    return false;
  }
  for (int t = 0; t < metadata->topic_cnt; ++t) {
    const auto& topic = metadata->topics[t];
    if (topic.err != RD_KAFKA_RESP_ERR_NO_ERROR || !wanted_topic(topic.topic)) continue;
    for (int p = 0; p < topic.partition_cnt; ++p) {
      if (topic.partitions[p].id < 0) continue;
      out.emplace_back(topic.topic, topic.partitions[p].id);
      leaders_[out.back()] = topic.partitions[p].leader;
    }
  }
  rd_kafka_metadata_destroy(metadata);
  return true;
}

// A failed listing does not fail the cycle: the lag of the groups already known keeps flowing,
// and the discovery gauge (CdcGroupDiscoveryFailing) says that new groups are not being seen.
void KafkaLagProbe::discover_groups(TimePoint now, int timeout_ms, CollectOutcome& outcome) {
  std::optional<bool> was_up = discovery_.listing_up();
  std::string error =
      discovery_.refresh(discovery_client_.get(), now,
                         std::min(timeout_ms, static_cast<int>(config_.request_timeout.count())));
  if (!error.empty() && was_up != false) spdlog::warn("{}: {}", name(), error);
  if (error.empty() && was_up == false && discovery_.listing_up() == true) {
    spdlog::info("{}: listing consumer groups works again", name());
  }
  Labels cluster = {{"kafka", config_.name}};
  if (auto up = discovery_.listing_up()) outcome.readings.set(kGroupDiscoveryUp, cluster, *up);
  if (auto success = discovery_.last_success()) {
    outcome.readings.set(kGroupDiscoveryLastSuccess, cluster, to_unix_seconds(*success));
  }
  for (const auto& group : discovery_.groups()) {
    outcome.readings.set(kGroupDiscovered, {{"kafka", config_.name}, {"group", group}}, 1);
  }
}

// Those a group committed on, those its members are assigned (discovered groups), and every
// watched topic when a topics: filter says which (a partition it never committed on then lags
// from the low watermark). One set per group, both what is counted this cycle and what is asked
// for the next: a group's commit on a counted topic is seen on the next cycle, not when the
// rolling scan reaches it.
void KafkaLagProbe::update_group_topics(const std::map<std::string, GroupOffsets>& committed,
                                        const std::vector<TopicPartition>& partitions) {
  std::map<std::string, std::set<std::string>> counted;  // groups no longer watched drop out
  for (const auto& [group, offsets] : committed) {
    auto& topics = counted[group];
    if (!offsets.error.empty()) {
      topics = std::move(group_topics_[group]);
      continue;
    }
    offsets.committed.for_each_topic([&](const std::string& topic) { topics.insert(topic); });
    const auto& assigned = discovery_.assigned_topics(group);
    topics.insert(assigned.begin(), assigned.end());
    if (!config_.topics.empty()) {
      for (const auto& tp : partitions) topics.insert(tp.first);
    }
  }
  group_topics_ = std::move(counted);
}

bool KafkaLagProbe::read_all_watermarks(const std::vector<TopicPartition>& partitions,
                                        const std::vector<TopicPartition>& uncommitted,
                                        int timeout_ms, PartitionTable<PartitionOffsets>& out,
                                        CollectOutcome& outcome) {
  std::string error;
  watermarks_unanswered_.clear();
  if (read_watermarks(partitions, true, timeout_ms, out, error) &&
      read_watermarks(uncommitted, false, timeout_ms, out, error)) {
    outcome.readings.set(kUp, {{"kafka", config_.name}}, 1);
    return true;
  }
  outcome.readings.set(kUp, {{"kafka", config_.name}}, 0);
  outcome.fail("offsets", error);
  return false;
}

void KafkaLagProbe::observe_watermarks(const PartitionTable<PartitionOffsets>& watermarks,
                                       TimePoint now, Readings& readings) {
  watermark_history_.retain([&](const std::string& topic, int32_t partition, const auto&) {
    return watermarks.find(topic, partition) != nullptr;
  });
  watermarks.for_each(
      [&](const std::string& topic, int32_t partition, const PartitionOffsets& offsets) {
        watermark_history_.make(topic, partition).observe(offsets.high, to_unix_seconds(now));
        if (config_.partition_metrics) {
          readings.set(
              kHighWatermark,
              {{"kafka", config_.name}, {"topic", topic}, {"partition", std::to_string(partition)}},
              static_cast<double>(offsets.high));
        }
      });
}

KafkaLagProbe::GroupSummary KafkaLagProbe::judge_group(const std::string& group,
                                                       const GroupLag& lag, TimePoint now,
                                                       Readings& readings) {
  GroupSummary summary;
  summary.partitions = lag.partitions.size() + lag.unknown.size();
  summary.unknown_lag = static_cast<int>(lag.unknown.size());
  for (const auto& tp : lag.unknown) {  // not observed this cycle, but not forgotten either
    windows_.keep(group, tp.first, tp.second);
    summary.topics_with_unknown_lag.insert(tp.first);
  }
  for (const auto& row : lag.partitions) {
    PartitionWindow& window = windows_.touch(group, row.tp.first, row.tp.second);
    window.observe(now, row.committed, row.lag);
    ConsumerStatus status = window.status();
    summary.status = worst(summary.status, status);
    // A caught-up partition is 0 s behind; a lagging one whose age is unknown has no figure.
    std::optional<double> seconds;
    if (row.lag == 0) {
      seconds = 0.0;
    } else if (auto age = record_age(row.tp, row.oldest_unconsumed, now)) {
      seconds = age->seconds;
      if (age->interpolated) ++summary.interpolated;
    } else {
      ++summary.unknown_age;
    }
    summary.lag_messages += static_cast<double>(row.lag);
    summary.topic_lag[row.tp.first] += static_cast<double>(row.lag);
    if (seconds) summary.max_known_lag_seconds = std::max(summary.max_known_lag_seconds, *seconds);
    if (config_.partition_metrics) export_partition(group, row, status, seconds, readings);
  }
  return summary;
}

nlohmann::json KafkaLagProbe::judge_groups(const std::map<std::string, GroupOffsets>& committed,
                                           std::map<std::string, GroupLag>& lags, TimePoint now,
                                           CollectOutcome& outcome) {
  nlohmann::json group_status = nlohmann::json::object();
  windows_.begin_cycle();
  for (const auto& [group, offsets] : committed) {
    if (!offsets.error.empty()) {
      group_status[group] = export_group_error(group, offsets.error, outcome.readings);
      outcome.fail("offsets", offsets.error);
      continue;
    }
    GroupSummary summary = judge_group(group, lags[group], now, outcome.readings);
    offsets.committed.for_each([&](const std::string&, int32_t, int64_t offset) {
      summary.committed_sum += static_cast<double>(offset);
      ++summary.committed_partitions;
    });
    group_status[group] = summary.partitions == static_cast<size_t>(summary.unknown_lag)
                              ? export_group_unknown(group, summary, outcome.readings)
                              : export_group(group, summary, outcome.readings);
  }
  windows_.forget_untouched();
  return group_status;
}

std::unique_ptr<Probe> make_kafka_lag_probe(const KafkaClusterConfig& config,
                                            Millis default_interval) {
  return std::make_unique<KafkaLagProbe>(config, default_interval);
}

}  // namespace cdcwatch
