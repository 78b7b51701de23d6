// The consumer-lag probe of one Kafka cluster: for each watched group, per topic and partition,
// the committed offset, the high watermark, lag in messages and in seconds (the age of the oldest
// unconsumed record), and a Burrow-style status. See README.md.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "agent/core/probe.h"
#include "probes/kafka_lag/consumer_status.h"
#include "probes/kafka_lag/kafka_handle.h"
#include "probes/kafkaconn/kafka_cluster_config.h"

namespace cdcwatch {

class KafkaLagProbe final : public Probe {
 public:
  KafkaLagProbe(KafkaClusterConfig config, Millis default_interval);

  std::string name() const override { return "kafka/" + config_.name; }
  Millis interval() const override { return interval_; }
  // Metadata, two ListOffsets rounds, OffsetFetch per group and a record fetch may each take up to
  // request_timeout; a short interval must not cut a healthy cycle.
  Millis timeout() const override { return std::max(interval_, config_.request_timeout * 3); }
  CollectOutcome collect(const CollectContext& ctx) override;

  // Groups learnt elsewhere (a Connect sink connector X commits as group connect-X).
  void add_groups(const std::vector<std::string>& groups);

 private:
  struct PartitionOffsets {
    int64_t low = 0;
    int64_t high = 0;
  };
  using TopicPartition = std::pair<std::string, int32_t>;

  std::vector<std::string> groups() const;
  bool wanted_topic(const std::string& topic) const;
  std::map<TopicPartition, PartitionOffsets> read_watermarks(
      const std::vector<TopicPartition>& partitions, int timeout_ms, std::string& error);
  std::map<TopicPartition, int64_t> read_committed(const std::string& group,
                                                   const std::vector<TopicPartition>& partitions,
                                                   int timeout_ms, std::string& error);
  // Timestamps (ms) of the records at the given offsets, fetched once per offset and cached.
  void fetch_timestamps(const std::map<TopicPartition, int64_t>& wanted, TimePoint deadline);

  KafkaClusterConfig config_;
  Millis interval_;
  KafkaHandle client_;
  std::map<std::string, KafkaHandle> group_clients_;
  mutable std::mutex groups_mutex_;
  std::set<std::string> extra_groups_;
  std::map<std::tuple<std::string, std::string, int32_t>, PartitionWindow> windows_;
  std::map<TopicPartition, std::pair<int64_t, int64_t>> timestamp_cache_;  // offset -> ts ms
};

std::unique_ptr<Probe> make_kafka_lag_probe(const KafkaClusterConfig& config,
                                            Millis default_interval);

}  // namespace cdcwatch
