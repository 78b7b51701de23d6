// Where a connector has got to, from its committed offsets.
// - GET /connectors/<name>/offsets (Kafka 3.5+, KIP-875) answers
//   {"offsets": [{"partition": {...}, "offset": {...}}]}; a source's partition/offset are its own
//   (Debezium PostgreSQL: {"server": "orders"} / {"lsn": ..., "lsn_proc": ..., "lsn_commit": ...,
//   "txId": ..., "ts_usec": ...}), a sink's are {"kafka_topic", "kafka_partition"} /
//   {"kafka_offset"}.
// - Older workers: the source's records in the Connect offsets topic, key ["<connector>",
// {partition}]
//   and value the offset as JSON (null deletes), read by OffsetsTopicReader.
// https://cwiki.apache.org/confluence/display/KAFKA/KIP-875%3A+First-class+offsets+support+in+Kafka+Connect
// https://debezium.io/documentation/reference/stable/connectors/postgresql.html
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "probes/kafkaconn/kafka_cluster_config.h"
#include "probes/kafkaconn/kafka_handle.h"

namespace cdcwatch {

// The WAL position a Debezium PostgreSQL offset has committed: `lsn`, else `lsn_commit`, else
// `lsn_proc`; numbers or PostgreSQL's "16/B374D848" text form.
std::optional<double> debezium_committed_lsn(const nlohmann::json& offset);
std::optional<double> parse_pg_lsn(const std::string& text);

struct OffsetsAnswer {
  std::optional<double> source_lsn;       // the largest committed LSN over the source's partitions
  std::optional<double> sink_offset_sum;  // the sum of kafka_offset over the sink's partitions
  std::string error;
};
OffsetsAnswer parse_offsets_answer(const std::string& body);

// Source offsets from the Connect offsets topic: a group-less consumer that reads the topic from
// the beginning once, then only what is new each cycle. Not thread-safe (one probe worker).
class OffsetsTopicReader {
 public:
  OffsetsTopicReader(KafkaClusterConfig kafka, std::string topic);
  // Reads what is new, up to `budget_ms`; an error message, or empty.
  std::string poll(int budget_ms);
  // The latest offsets the connector committed, one per source partition.
  std::map<std::string, nlohmann::json> offsets_of(const std::string& connector) const;

 private:
  std::string assign(int timeout_ms);
  KafkaClusterConfig kafka_;
  std::string topic_;
  KafkaHandle consumer_;
  bool assigned_ = false;
  std::map<std::string, std::map<std::string, nlohmann::json>> offsets_;  // connector -> partition
};

}  // namespace cdcwatch
