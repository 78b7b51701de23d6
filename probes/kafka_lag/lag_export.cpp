// The lag probe's readings and /status for one group and its partitions (metrics in lag_metrics.h).
// An unknown figure is left out, never written as 0.
#include "agent/core/secrets.h"
#include "probes/kafka_lag/kafka_lag_probe.h"
#include "probes/kafka_lag/lag_metrics.h"

namespace cdcwatch {
namespace {

using namespace kafka_lag_metrics;

// One series per status, 1 on `current`: alert rules match on the status label.
void set_status(const MetricDef& metric, const Labels& labels, ConsumerStatus current,
                Readings& readings) {
  for (ConsumerStatus s : kAllConsumerStatuses) {
    Labels with_status = labels;
    with_status.emplace_back("status", to_string(s));
    readings.set(metric, with_status, s == current ? 1 : 0);
  }
}

nlohmann::json optional_json(const std::optional<double>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

}  // namespace

void KafkaLagProbe::export_partition(const std::string& group, const PartitionLag& row,
                                     ConsumerStatus status, std::optional<double> seconds,
                                     Readings& readings) const {
  Labels labels = {{"kafka", config_.name},
                   {"group", group},
                   {"topic", row.tp.first},
                   {"partition", std::to_string(row.tp.second)}};
  readings.set(kLagMessages, labels, static_cast<double>(row.lag));
  if (seconds) readings.set(kLagSeconds, labels, *seconds);
  if (row.committed) readings.set(kCommitted, labels, static_cast<double>(*row.committed));
  readings.set(kNoCommit, labels, row.committed ? 0 : 1);
  set_status(kPartitionStatus, labels, status, readings);
}

nlohmann::json KafkaLagProbe::export_group(const std::string& group, const GroupSummary& summary,
                                           Readings& readings) const {
  Labels labels = {{"kafka", config_.name}, {"group", group}};
  // Sums and maxima over partitions some of which are unknown are only bounds: absent, so that
  // they cannot clear an alert (CdcConsumerLagHigh reads the max lag in seconds).
  std::optional<double> lag_messages, max_seconds;
  if (summary.unknown_lag == 0) lag_messages = summary.lag_messages;
  if (summary.unknown_lag == 0 && summary.unknown_age == 0) {
    max_seconds = summary.max_known_lag_seconds;
  }
  if (lag_messages) readings.set(kGroupLag, labels, *lag_messages);
  if (max_seconds) readings.set(kGroupMaxLagSeconds, labels, *max_seconds);
  for (const auto& [topic, lag] : summary.topic_lag) {
    if (summary.topics_with_unknown_lag.count(topic)) continue;
    Labels topic_labels = labels;
    topic_labels.emplace_back("topic", topic);
    readings.set(kTopicLag, topic_labels, lag);
  }
  readings.set(kGroupCommittedOffsets, labels, summary.committed_sum);
  HistogramValue deprecated_sum;
  deprecated_sum.sum = summary.committed_sum;
  deprecated_sum.count = summary.committed_partitions;
  readings.set_histogram(kGroupCommittedSumDeprecated, labels, deprecated_sum);
  readings.set(kInterpolated, labels, summary.interpolated);
  readings.set(kLagSecondsUnknown, labels, summary.unknown_age);
  readings.set(kLagUnknown, labels, summary.unknown_lag);
  set_status(kGroupStatus, labels, summary.status, readings);
  nlohmann::json status = {{"status", to_string(summary.status)},
                           {"lag_messages", optional_json(lag_messages)},
                           {"max_lag_seconds", optional_json(max_seconds)},
                           {"partitions", summary.partitions},
                           {"lag_unknown_partitions", summary.unknown_lag},
                           {"lag_seconds_interpolated_partitions", summary.interpolated},
                           {"lag_seconds_unknown_partitions", summary.unknown_age}};
  if (summary.committed_partitions == 0) status["never_committed"] = true;  // from low watermarks
  return status;
}

// Nothing to sum or judge: a lag of 0 or an `ok` here would be made up (a group that never
// committed on a watched topic, or whose every partition's watermark went unanswered).
nlohmann::json KafkaLagProbe::export_group_unknown(const std::string& group,
                                                   const GroupSummary& summary,
                                                   Readings& readings) const {
  readings.set(kLagUnknown, {{"kafka", config_.name}, {"group", group}}, summary.unknown_lag);
  std::string reason = summary.partitions == 0
                           ? "counted on no partition: no commit on any watched topic (set "
                             "topics: to count its topics from the low watermark)"
                           : "no watermark answered for any of its partitions";
  return {{"status", "unknown"},
          {"reason", reason},
          {"lag_messages", nullptr},
          {"max_lag_seconds", nullptr},
          {"partitions", summary.partitions},
          {"lag_unknown_partitions", summary.unknown_lag}};
}

size_t KafkaLagProbe::count_unknown(const nlohmann::json& group_status) {
  size_t unknown = 0;
  for (const auto& [group, status] : group_status.items()) {
    unknown += status.value("status", "") == "unknown" ? 1 : 0;
  }
  return unknown;
}

nlohmann::json KafkaLagProbe::export_group_error(const std::string& group, const std::string& error,
                                                 Readings& readings) const {
  set_status(kGroupStatus, {{"kafka", config_.name}, {"group", group}}, ConsumerStatus::kError,
             readings);
  return {{"status", "error"}, {"error", scrub_secrets(error)}};
}

}  // namespace cdcwatch
