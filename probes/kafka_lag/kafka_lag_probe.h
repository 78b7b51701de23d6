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
#include "probes/kafka_lag/group_discovery.h"
#include "probes/kafka_lag/group_lag.h"
#include "probes/kafka_lag/partition_windows.h"
#include "probes/kafka_lag/rolling_scan.h"
#include "probes/kafka_lag/watermark_history.h"
#include "probes/kafkaconn/kafka_cluster_config.h"
#include "probes/kafkaconn/kafka_handle.h"
#include "probes/kafkaconn/record_reader.h"

namespace cdcwatch {

class KafkaLagProbe final : public Probe {
 public:
  KafkaLagProbe(KafkaClusterConfig config, Millis default_interval);

  std::string name() const override { return "kafka/" + config_.name; }
  Millis interval() const override { return interval_; }
  // Metadata, two ListOffsets rounds, OffsetFetch per group and a record fetch may each take up to
  // request_timeout; a short interval must not cut a healthy cycle.
  // Discovery's Metadata and its ListGroups/DescribeGroups round take up to two more.
  Millis timeout() const override {
    return std::max(interval_, config_.request_timeout * (discovery_.enabled() ? 5 : 3));
  }
  CollectOutcome collect(const CollectContext& ctx) override;

  // The groups another probe currently knows of, replacing what that `source` said before (a
  // Connect sink connector X commits as group connect-X; a deleted connector's group goes).
  void set_learnt_groups(const std::string& source, const std::vector<std::string>& groups);

  // Requests and bytes this probe's clients have put on the wire so far (kafka_handle.h).
  WireCounts wire_counts() const;

  // Status windows and their clocks, watermark histories, cached record timestamps and a refusal
  // of record reads, within fixed budgets (lag_probe_state.cpp); restore skips what it cannot use.
  nlohmann::json save_state() const override;
  void restore_state(const nlohmann::json& state) override;

 private:
  using GroupOffsets = CommittedOffsetsReader::GroupOffsets;
  // What one cycle found for one group, for its metrics and /status.
  struct GroupSummary {
    ConsumerStatus status = ConsumerStatus::kOk;
    double lag_messages = 0;
    std::map<std::string, double> topic_lag;
    std::set<std::string> topics_with_unknown_lag;
    double max_known_lag_seconds = 0;
    size_t partitions = 0;
    int unknown_lag = 0;  // partitions whose lag in messages is unknown
    int unknown_age = 0;  // lagging partitions whose lag in seconds is unknown
    int interpolated = 0;
    double committed_sum = 0;
    uint64_t committed_partitions = 0;  // partitions whose committed offset is in the sum
  };

  // The stages of a cycle, in order (collect() reads as the list of them).
  bool connect(CollectOutcome& outcome);
  // The partitions of the watched topics; false, with kafka_up 0, when metadata is not answered.
  bool read_partitions(int timeout_ms, std::vector<TopicPartition>& out, CollectOutcome& outcome);
  // Lists the `discover_groups` when due (group_discovery.h); a failure sets the discovery gauge
  // to 0 and leaves the cycle ok.
  void discover_groups(TimePoint now, int timeout_ms, CollectOutcome& outcome);
  std::map<std::string, GroupOffsets> read_committed(const std::vector<std::string>& groups,
                                                     const std::vector<TopicPartition>& partitions,
                                                     int timeout_ms);
  void read_rest_of_new_topics(const std::vector<TopicPartition>& partitions, int timeout_ms,
                               std::map<std::string, GroupOffsets>& committed);
  // Sets group_topics_ from this cycle's commits, the discovered groups' assignments and `topics`.
  void update_group_topics(const std::map<std::string, GroupOffsets>& committed,
                           const std::vector<TopicPartition>& partitions);
  bool read_all_watermarks(const std::vector<TopicPartition>& partitions,
                           const std::vector<TopicPartition>& uncommitted, int timeout_ms,
                           PartitionTable<PartitionOffsets>& out, CollectOutcome& outcome);
  void observe_watermarks(const PartitionTable<PartitionOffsets>& watermarks, TimePoint now,
                          Readings& readings);
  // Record timestamps for every group's lagging partitions (lag_in_seconds.cpp); an authorization
  // error stops record reads for a while (`auto` falls back to interpolation).
  void read_record_timestamps(const std::map<std::string, GroupLag>& lags,
                              const CollectContext& ctx, TimePoint now);
  GroupSummary judge_group(const std::string& group, const GroupLag& lag, TimePoint now,
                           Readings& readings);
  // Judges and exports every group; returns their /status entries.
  nlohmann::json judge_groups(const std::map<std::string, GroupOffsets>& committed,
                              std::map<std::string, GroupLag>& lags, TimePoint now,
                              CollectOutcome& outcome);
  void export_partition(const std::string& group, const PartitionLag& row, ConsumerStatus status,
                        std::optional<double> seconds, Readings& readings) const;
  nlohmann::json export_group(const std::string& group, const GroupSummary& summary,
                              Readings& readings) const;
  // A group counted on no partition whose lag is known: no lag and no status, only /status.
  nlohmann::json export_group_unknown(const std::string& group, const GroupSummary& summary,
                                      Readings& readings) const;
  // Groups whose lag is unknown this cycle, for the count in /status.
  static size_t count_unknown(const nlohmann::json& group_status);
  nlohmann::json export_group_error(const std::string& group, const std::string& error,
                                    Readings& readings) const;

  std::vector<std::string> groups() const;
  bool wanted_topic(const std::string& topic) const;
  // High (or low) watermarks of the partitions into `out`; false with `error` when none is
  // answered, watermarks_unanswered_ saying so when only some are.
  bool read_watermarks(const std::vector<TopicPartition>& partitions, bool high, int timeout_ms,
                       PartitionTable<PartitionOffsets>& out, std::string& error);
  // One round of ListOffsets, its answers into `out`; the first error.
  rd_kafka_resp_err_t list_offsets(const std::vector<TopicPartition>& partitions, bool high,
                                   int timeout_ms, PartitionTable<PartitionOffsets>& out);
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
  KafkaHandle client_;            // metadata and watermarks
  KafkaHandle discovery_client_;  // ListGroups and DescribeGroups (discover_groups)
  CommittedOffsetsReader committed_reader_;
  RecordReader record_reader_;       // for lag in seconds
  PartitionTable<int32_t> leaders_;  // as of this cycle's metadata
  mutable std::mutex groups_mutex_;
  std::map<std::string, std::vector<std::string>> learnt_groups_;  // by source
  GroupDiscovery discovery_;
  std::string watermarks_unanswered_;  // this cycle's partial ListOffsets failure, for /status
  PartitionWindows windows_;
  // Record timestamps (ms) by partition and offset: an offset read once is never read again.
  std::map<std::pair<TopicPartition, int64_t>, int64_t> timestamp_cache_;
  PartitionTable<WatermarkHistory> watermark_history_;
  // The topics each group is counted on (and asked for): its commits, plus every watched topic
  // when `topics` is set.
  std::map<std::string, std::set<std::string>> group_topics_;
  RollingScan scan_;  // which partitions each group is asked its offsets on
  TimePoint record_reads_denied_until_{};
  std::string record_read_error_;
  std::string too_many_to_read_;  // this cycle's reason `auto` read no records, for /status
};

std::unique_ptr<Probe> make_kafka_lag_probe(const KafkaClusterConfig& config,
                                            Millis default_interval);

}  // namespace cdcwatch
