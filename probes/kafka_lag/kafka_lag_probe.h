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
#include "probes/kafka_lag/committed_offsets_reader.h"
#include "probes/kafka_lag/consumer_status.h"
#include "probes/kafka_lag/watermark_history.h"
#include "probes/kafkaconn/kafka_cluster_config.h"
#include "probes/kafkaconn/kafka_handle.h"

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

  // The groups another probe currently knows of, replacing what that `source` said before (a
  // Connect sink connector X commits as group connect-X; a deleted connector's group goes).
  void set_learnt_groups(const std::string& source, const std::vector<std::string>& groups);

  // Broker requests sent so far by this probe's clients (see requests_sent in kafka_handle.h).
  uint64_t requests_sent();

  // Status windows and their clocks, watermark histories, cached record timestamps and a refusal
  // of record reads, within fixed budgets (lag_probe_state.cpp); restore skips what it cannot use.
  nlohmann::json save_state() const override;
  void restore_state(const nlohmann::json& state) override;

 private:
  struct PartitionOffsets {
    int64_t low = 0;
    int64_t high = 0;
  };
  using TopicPartition = std::pair<std::string, int32_t>;

  std::vector<std::string> groups() const;
  bool wanted_topic(const std::string& topic) const;
  // High (or low) watermarks of the partitions into `out`; false with `error` when not answered.
  bool read_watermarks(const std::vector<TopicPartition>& partitions, bool high, int timeout_ms,
                       std::map<TopicPartition, PartitionOffsets>& out, std::string& error);
  using GroupOffsets = CommittedOffsetsReader::GroupOffsets;
  std::map<std::string, GroupOffsets> read_committed(const std::vector<std::string>& groups,
                                                     const std::vector<TopicPartition>& partitions,
                                                     int timeout_ms);
  // Timestamps (ms) of the records at the given offsets, fetched once per offset and cached.
  // An authorization error stops record reads for a while (`auto` falls back to interpolation).
  void fetch_timestamps(const std::map<TopicPartition, int64_t>& wanted, TimePoint deadline,
                        TimePoint now);
  bool reads_records(TimePoint now) const;
  struct RecordAge {
    double seconds;
    bool interpolated;  // estimated from the watermark history, not read from the record
  };
  std::optional<RecordAge> record_age(const TopicPartition& tp, int64_t offset,
                                      TimePoint now) const;

  // Each takes one entry of save_state()'s JSON; false when it is malformed.
  bool restore_window(const nlohmann::json& entry);
  bool restore_history(const nlohmann::json& entry);
  bool restore_timestamp(const nlohmann::json& entry);

  KafkaClusterConfig config_;
  Millis interval_;
  KafkaHandle client_;  // metadata, watermarks and record reads
  CommittedOffsetsReader committed_reader_;
  mutable std::mutex groups_mutex_;
  std::map<std::string, std::vector<std::string>> learnt_groups_;   // by source
  using WindowKey = std::tuple<std::string, std::string, int32_t>;  // group, topic, partition
  std::map<WindowKey, PartitionWindow> windows_;
  std::map<TopicPartition, std::pair<int64_t, int64_t>> timestamp_cache_;  // offset -> ts ms
  std::map<TopicPartition, WatermarkHistory> watermark_history_;
  std::map<std::string, std::set<std::string>> group_topics_;  // topics each group committed on
  uint64_t cycles_ = 0;
  TimePoint record_reads_denied_until_{};
  std::string record_read_error_;
};

std::unique_ptr<Probe> make_kafka_lag_probe(const KafkaClusterConfig& config,
                                            Millis default_interval);

}  // namespace cdcwatch
