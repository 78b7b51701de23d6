#include "probes/sink_truth/sink_truth_probe.h"

#include <algorithm>
#include <regex>

#include "agent/core/text_split.h"
#include "probes/connect/connect_metrics.h"
#include "probes/kafka_lag/lag_metrics.h"
#include "probes/kafkaconn/partition_batches.h"
#include "probes/kafkaconn/record_reader.h"
#include "probes/sink_truth/kafka_positions.h"
#include "probes/sink_truth/sink_metrics.h"
#include "probes/sink_truth/sink_queries.h"

namespace cdcwatch {
namespace {

// The deadline on the system clock, for librdkafka's polls (the probe's clock may be a test's).
TimePoint system_deadline(const CollectContext& ctx) {
  return std::chrono::system_clock::now() + (ctx.deadline - ctx.clock.now());
}

int timeout_ms(const CollectContext& ctx, Millis cap) {
  return static_cast<int>(time_left(ctx.deadline, ctx.clock, cap).count());
}

}  // namespace

SinkTruthProbe::SinkTruthProbe(SinkConfig config, KafkaClusterConfig kafka,
                               SnowflakeConfig snowflake)
    : config_(std::move(config)), kafka_(std::move(kafka)), snowflake_(std::move(snowflake)) {}

std::optional<ConnectorSettings> SinkTruthProbe::settings(const CollectContext& ctx,
                                                          CollectOutcome& outcome) {
  if (!config_.connect) return std::nullopt;
  auto found = ctx.latest.find(connect_metrics::kInfo.name,
                               {{"connect", *config_.connect}, {"connector", config_.connector}});
  if (found.empty() && last_settings_) {
    outcome.status["connector_config"] = "as last reported: Connect does not report it now";
    return last_settings_;
  }
  if (found.empty()) {
    outcome.fail("connect", "Connect cluster '" + *config_.connect + "' reports no connector '" +
                                config_.connector +
                                "' (is the Connect probe up, and the connector name right?)");
    return std::nullopt;
  }
  const Labels& labels = found.front().labels;
  ConnectorSettings settings;
  settings.topics = split_list(label_value(labels, "topics").value_or(""));
  settings.topics_regex = label_value(labels, "topics_regex").value_or("");
  settings.topic2table = parse_topic2table(label_value(labels, "topic2table").value_or(""));
  settings.value_converter = label_value(labels, "value_converter").value_or("");
  last_settings_ = settings;
  return settings;
}

std::vector<std::string> SinkTruthProbe::sink_topics(
    const std::map<std::string, int32_t>& kafka_topics,
    const std::optional<ConnectorSettings>& settings) const {
  std::vector<std::string> out;
  std::optional<std::regex> pattern;
  if (settings && !settings->topics_regex.empty()) {
    try {
      pattern.emplace(settings->topics_regex);
    } catch (const std::regex_error&) {
      // Connect refuses such a config; nothing matches.
    }
  }
  for (const auto& [topic, partitions] : kafka_topics) {
    bool listed = !settings ||
                  std::find(settings->topics.begin(), settings->topics.end(), topic) !=
                      settings->topics.end() ||
                  (pattern && std::regex_match(topic, *pattern));
    if (listed) out.push_back(topic);
  }
  return out;
}

std::optional<int64_t> SinkTruthProbe::group_next(const CollectContext& ctx,
                                                  const TopicPartitionKey& partition) const {
  // Kafka Connect's sink group is connect-<connector name>.
  auto value = ctx.latest.first_value(kafka_lag_metrics::kCommitted.name,
                                      {{"kafka", kafka_.name},
                                       {"group", "connect-" + config_.connector},
                                       {"topic", partition.first},
                                       {"partition", std::to_string(partition.second)}});
  if (!value) return std::nullopt;
  return static_cast<int64_t>(*value);
}

CollectOutcome SinkTruthProbe::collect(const CollectContext& ctx) {
  CollectOutcome outcome;
  Labels sink = {{"sink", config_.name}};
  outcome.readings.set(
      sink_metrics::kInfo,
      {{"sink", config_.name}, {"connector", config_.connector}, {"kafka", kafka_.name}}, 1);
  outcome.status["ingestion"] = ingestion_name(config_.ingestion);
  auto connector = settings(ctx, outcome);
  if (!outcome.ok()) {
    outcome.readings.set(sink_metrics::kUp, sink, 0);
    return outcome;
  }
  if (connector) outcome.status["value_converter"] = connector->value_converter;
  try {
    if (!handle_) handle_ = make_kafka_consumer(kafka_, "cdcwatch-sink-truth");
  } catch (const std::exception& e) {
    outcome.fail("config", e.what());
    outcome.readings.set(sink_metrics::kUp, sink, 0);
    return outcome;
  }
  TopicsRead kafka_topics = read_topics(handle_.get(), timeout_ms(ctx, kafka_.request_timeout));
  if (!kafka_topics.error.empty()) {
    outcome.fail("kafka", "Kafka '" + kafka_.name + "': " + kafka_topics.error);
    outcome.readings.set(sink_metrics::kUp, sink, 0);
    return outcome;
  }
  std::vector<std::string> topics = sink_topics(kafka_topics.partitions, connector);
  if (config_.ingestion == Ingestion::kStreaming) {
    collect_streaming(ctx, topics, kafka_topics.partitions, outcome);
  } else {
    collect_snowpipe(ctx, topics, kafka_topics.partitions, *connector, outcome);
  }
  outcome.readings.set(sink_metrics::kUp, sink, outcome.ok() ? 1 : 0);
  return outcome;
}

void SinkTruthProbe::collect_streaming(const CollectContext& ctx,
                                       const std::vector<std::string>& topics,
                                       const std::map<std::string, int32_t>& partitions,
                                       CollectOutcome& outcome) {
  SqlRows rows =
      snowflake_.query(show_channels_statement(config_.schema), {}, ctx.deadline, ctx.clock);
  if (!rows.ok()) return outcome.fail(rows.error_reason, rows.error_message);
  ChannelsAnswer channels = read_channels(rows, config_.connector, topics);
  if (!channels.error.empty()) return outcome.fail("response", channels.error);

  // With the connector's config, every partition of its topics is the sink's (one without a
  // channel is unknown); without it, the topics some channel of this connector serves.
  std::vector<TopicPartitionKey> wanted;
  for (const auto& topic : topics) {
    bool served = config_.connect.has_value();
    for (const auto& [key, token] : channels.tokens) served = served || key.first == topic;
    for (int32_t p = 0; served && p < partitions.at(topic); ++p) wanted.emplace_back(topic, p);
  }
  WatermarksRead watermarks = read_high_watermarks(handle_.get(), wanted, ctx.deadline, ctx.clock);
  std::map<TopicPartitionKey, PartitionView> views;
  std::map<TopicPartitionKey, int64_t> lagging;
  for (const auto& key : wanted) {
    PartitionView& view = views[key];
    if (auto it = channels.tokens.find(key); it != channels.tokens.end() && it->second)
      view.warehouse_next = *it->second + 1;
    if (auto it = watermarks.high.find(key); it != watermarks.high.end())
      view.high_watermark = it->second;
    // A partition never written to has nothing to load: caught up, although it has no channel.
    if (!view.warehouse_next && view.high_watermark == 0) view.warehouse_next = 0;
    view.group_next = group_next(ctx, key);
    if (view.warehouse_next && view.high_watermark && *view.high_watermark > *view.warehouse_next)
      lagging[key] = *view.warehouse_next;
  }
  for (const auto& [key, timestamp_ms] : record_timestamps(ctx, lagging, outcome)) {
    views[key].record_timestamp_ms = timestamp_ms;
  }
  outcome.readings.append(positions_.partition_readings(config_.name, views, ctx.clock.now()));
  outcome.status["channels"] = channels.tokens.size();
  outcome.status["partitions"] = views.size();
  if (!watermarks.error.empty())
    outcome.fail("kafka", "Kafka '" + kafka_.name + "': " + watermarks.error);
}

std::map<TopicPartitionKey, int64_t> SinkTruthProbe::record_timestamps(
    const CollectContext& ctx, const std::map<TopicPartitionKey, int64_t>& lagging,
    CollectOutcome& outcome) {
  std::erase_if(timestamp_cache_, [&](const auto& cached) {
    auto it = lagging.find(cached.first.first);
    return it == lagging.end() || it->second != cached.first.second;
  });
  std::map<TopicPartitionKey, int64_t> unread;
  for (const auto& [key, offset] : lagging) {
    if (unread.size() < kPartitionListBatch && !timestamp_cache_.count({key, offset})) {
      unread[key] = offset;
    }
  }
  if (!unread.empty()) {
    RecordReads reads = fetch_record_timestamps(handle_.get(), unread, system_deadline(ctx));
    timestamp_cache_.merge(reads.timestamps_ms);
    if (!reads.denied.empty()) outcome.status["record_reads"] = reads.denied;
  }
  std::map<TopicPartitionKey, int64_t> out;
  for (const auto& [key, offset] : lagging) {
    if (auto it = timestamp_cache_.find({key, offset}); it != timestamp_cache_.end()) {
      out[key] = it->second;
    }
  }
  return out;
}

void SinkTruthProbe::collect_snowpipe(const CollectContext& ctx,
                                      const std::vector<std::string>& topics,
                                      const std::map<std::string, int32_t>& partitions,
                                      const ConnectorSettings& settings, CollectOutcome& outcome) {
  std::vector<std::string> pipes;
  for (const auto& topic : topics) {
    std::string table = table_for_topic(topic, settings.topic2table);
    for (int32_t p = 0; p < partitions.at(topic); ++p)
      pipes.push_back(config_.schema + "." + snowpipe_pipe_name(config_.connector, table, p));
  }
  if (pipes.empty()) {
    return outcome.fail("config", "connector '" + config_.connector +
                                      "' names no topic that exists in Kafka '" + kafka_.name +
                                      "'; check its topics or topics.regex");
  }
  SqlRows rows =
      snowflake_.query(pipe_status_statement(pipes.size()), pipes, ctx.deadline, ctx.clock);
  if (!rows.ok()) return outcome.fail(rows.error_reason, rows.error_message);
  PipesAnswer answer = read_pipe_statuses(rows, pipes);
  if (!answer.error.empty()) return outcome.fail("response", answer.error);
  outcome.readings.append(
      SinkPositions::pipe_readings(config_.name, answer.pipes, ctx.clock.now()));
  outcome.status["pipes"] = answer.pipes.size();
}

}  // namespace cdcwatch
