// Owning wrapper of a librdkafka consumer handle built from a `kafka:` entry. The handle never
// subscribes or commits: cdcwatch only reads metadata, offsets and single records.
#pragma once

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <memory>
#include <string>

#include "probes/kafkaconn/kafka_cluster_config.h"

namespace cdcwatch {

struct KafkaHandleDeleter {
  void operator()(rd_kafka_t* handle) const;
};
using KafkaHandle = std::unique_ptr<rd_kafka_t, KafkaHandleDeleter>;

// Throws std::runtime_error naming the offending property, never its value when it is a secret.
KafkaHandle make_kafka_consumer(const KafkaClusterConfig& config, const std::string& group_id);

// Assigns every partition of `topic` to `consumer`, each starting at `start` (an offset or an
// RD_KAFKA_OFFSET_* value). Metadata is read for all topics: asking for one would let a broker
// with auto.create.topics.enable create a misspelt topic. Returns what went wrong, `missing` when
// the topic does not exist, or "" once assigned.
std::string assign_whole_topic(rd_kafka_t* consumer, const std::string& cluster,
                               const std::string& topic, int64_t start, int timeout_ms,
                               const std::string& missing);

// Requests the handle has sent to brokers, as of librdkafka's latest statistics; stays 0 unless
// the `statistics.interval.ms` property is set (the benchmark sets it to count requests per cycle).
uint64_t requests_sent(rd_kafka_t* handle);

}  // namespace cdcwatch
