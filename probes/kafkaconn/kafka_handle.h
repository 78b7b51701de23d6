// Owning wrapper of a librdkafka consumer handle built from a `kafka:` entry. The handle never
// subscribes or commits: cdcwatch only reads metadata, offsets and single records.
#pragma once

#include <librdkafka/rdkafka.h>

#include <array>
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

// What a handle has put on the wire, counted by librdkafka's on_request_sent and
// on_response_received interceptors as each request is written and each response read: exact,
// and without the statistics JSON (megabytes a second for a client that knows 10,000 partitions).
// Off (all zero) unless count_wire_traffic(true) was called before the handle was made: librdkafka
// 2.0.2 frees a configuration's interceptors itself when rd_kafka_new fails (a bad property), so
// the configuration is then leaked rather than destroyed; the benchmarks, whose configurations
// are known good, turn counting on.
struct WireCounts {
  uint64_t requests = 0;
  uint64_t bytes_sent = 0;
  uint64_t bytes_received = 0;
  // By Kafka protocol ApiKey (https://kafka.apache.org/protocol#protocol_api_keys).
  std::array<uint64_t, 64> requests_by_api_key{};
  std::array<uint64_t, 64> bytes_received_by_api_key{};

  WireCounts& operator+=(const WireCounts& other);
};
void count_wire_traffic(bool on);
WireCounts wire_counts(rd_kafka_t* handle);
// The request kind's name for a protocol ApiKey ("Fetch", "ListOffsets", ...).
std::string api_key_name(int api_key);

// Requests the handle has sent to brokers (wire_counts(handle).requests).
uint64_t requests_sent(rd_kafka_t* handle);

}  // namespace cdcwatch
