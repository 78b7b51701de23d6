// Committed offsets of consumer groups, each read through its own librdkafka consumer whose
// group.id is that group (it never subscribes, joins or commits) with rd_kafka_committed().
//
// Not the admin call ListConsumerGroupOffsets: in librdkafka 2.0.2 (Debian 12) its coordinator
// request path uses a request after freeing it when brokers drop mid-request, and the process
// aborts on "rd_kafka_enq_once_del_source_return: Assertion `eonce->refcnt > 0'"
// (confluentinc/librdkafka#4605 and #3663; fix proposed in #5397). cdcwatch must outlive the outage
// it reports, so offsets go through the consumer-group code path every Kafka consumer exercises.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "probes/kafkaconn/kafka_cluster_config.h"
#include "probes/kafkaconn/kafka_handle.h"
#include "probes/kafkaconn/partition_table.h"

namespace cdcwatch {

class CommittedOffsetsReader {
 public:
  using TopicPartition = std::pair<std::string, int32_t>;
  struct GroupOffsets {
    PartitionTable<int64_t> committed;  // partitions without a commit are absent
    std::string error;
  };

  explicit CommittedOffsetsReader(KafkaClusterConfig config) : config_(std::move(config)) {}

  // For each group, its committed offsets among the listed partitions. Groups are read in
  // parallel; each takes at most timeout_ms. Failures are the group's `error`. Clients of groups
  // no longer asked for are closed.
  std::map<std::string, GroupOffsets> read(
      const std::map<std::string, std::span<const TopicPartition>>& wanted, int timeout_ms);

  size_t open_clients() const { return clients_.size(); }

  // What the per-group clients have put on the wire (kafka_handle.h).
  WireCounts wire_counts() const;

 private:
  KafkaClusterConfig config_;
  std::map<std::string, KafkaHandle> clients_;  // by group
};

}  // namespace cdcwatch
