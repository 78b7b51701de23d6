// Reads the timestamps of the records at given offsets (lag in seconds) through one consumer
// client, made on first use and kept across cycles: its broker threads fetch from every leader at
// once, so one client reads in parallel across brokers, and the partitions it has seen are held
// once (librdkafka keeps about 1.6 KB per partition per client that knows it). Each batch is
// assign, poll until each partition's record at (or, after compaction, past) its offset arrived
// or the deadline passed, unassign. The client never subscribes or commits.
// Not thread-safe: used from the probe's cycle only.
#pragma once

#include <librdkafka/rdkafka.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "agent/core/clock.h"
#include "probes/kafkaconn/kafka_cluster_config.h"
#include "probes/kafkaconn/kafka_handle.h"
#include "probes/kafkaconn/topic_partition.h"

namespace cdcwatch {

struct RecordReads {
  std::map<std::pair<TopicPartition, int64_t>, int64_t> timestamps_ms;  // by partition and offset
  std::string denied;  // set when the broker refused reads (no READ on the topic)
};

// One record to read: a partition, the offset, and the partition's leader broker.
struct WantedRecord {
  TopicPartition tp;
  int64_t offset = 0;
  int32_t leader = -1;
};

class RecordReader {
 public:
  explicit RecordReader(KafkaClusterConfig config);

  // The records of `wanted` (at most one offset per partition), in batches of at most
  // kPartitionListBatch partitions that each take from every leader in turn, until `deadline`.
  // A client that cannot be made reads nothing (ages are then interpolated or unknown).
  RecordReads read(const std::vector<WantedRecord>& wanted, TimePoint deadline);

  // Closes the client, if one was made; the next read makes a new one.
  void close() { client_.reset(); }

  // Clients made so far (one, unless making one failed, or after close()).
  size_t clients_made() const { return clients_made_; }
  WireCounts wire_counts() const;

 private:
  KafkaClusterConfig config_;  // with the reader's fetch properties
  KafkaHandle client_;
  size_t clients_made_ = 0;
};

// Assigns one batch (one offset per partition) to `consumer` and polls the records' timestamps.
RecordReads fetch_record_timestamps(rd_kafka_t* consumer,
                                    const std::map<TopicPartition, int64_t>& wanted,
                                    TimePoint deadline);

}  // namespace cdcwatch
