#include "probes/kafkaconn/record_reader.h"

#include <algorithm>
#include <chrono>

#include "probes/kafkaconn/partition_batches.h"

namespace cdcwatch {
namespace {

// One record per partition is wanted, so each fetch asks little; the user's own properties still
// win (they are applied after these).
// https://github.com/confluentinc/librdkafka/blob/v2.0.2/CONFIGURATION.md
const std::pair<const char*, const char*> kReaderProperties[] = {
    // A partition already read sits at its high watermark; the broker would hold the fetch that
    // carries it for fetch.wait.max.ms (500 ms by default) and delay the next batch's partitions.
    {"fetch.wait.max.ms", "10"},
    // Per partition and per fetch response: a backlog of large records must not arrive whole.
    // The broker still returns a first record batch larger than this (KIP-74), so reads progress.
    {"fetch.message.max.bytes", "8192"},
    {"fetch.max.bytes", "1048576"},
    {"queued.max.messages.kbytes", "1024"},
};

KafkaClusterConfig with_reader_properties(KafkaClusterConfig config) {
  std::vector<std::pair<std::string, SecretString>> properties;
  for (const auto& [key, value] : kReaderProperties) {
    properties.emplace_back(key, SecretString{value, value});
  }
  properties.insert(properties.end(), config.properties.begin(), config.properties.end());
  config.properties = std::move(properties);
  return config;
}

// Batches of up to kPartitionListBatch partitions that each take from every (leader, topic) in
// turn: every broker thread of the client has its share of each batch to fetch, and the first
// batch names every topic (up to 1,000), so later batches do not wait for a new topic's metadata
// (about a second per batch of new topics with librdkafka 2.0's defaults, measured with
// kafka_lag_bench).
std::vector<std::map<TopicPartition, int64_t>> interleaved_batches(
    const std::vector<WantedRecord>& wanted) {
  std::map<std::pair<int32_t, std::string>, std::vector<const WantedRecord*>> by_leader_and_topic;
  for (const auto& record : wanted) {
    by_leader_and_topic[{record.leader, record.tp.first}].push_back(&record);
  }
  std::vector<std::map<TopicPartition, int64_t>> batches;
  for (size_t i = 0, taken = 0; taken < wanted.size(); ++i) {
    for (const auto& [leader_and_topic, records] : by_leader_and_topic) {
      if (i >= records.size()) continue;
      if (batches.empty() || batches.back().size() >= kPartitionListBatch) batches.emplace_back();
      batches.back().emplace(records[i]->tp, records[i]->offset);
      ++taken;
    }
  }
  return batches;
}

}  // namespace

RecordReader::RecordReader(KafkaClusterConfig config)
    : config_(with_reader_properties(std::move(config))) {}

RecordReads RecordReader::read(const std::vector<WantedRecord>& wanted, TimePoint deadline) {
  RecordReads all;
  if (wanted.empty()) return all;
  if (!client_) {
    try {
      client_ = make_kafka_consumer(config_, "cdcwatch-record-reader");
      ++clients_made_;
    } catch (const std::exception&) {
      // The same properties built the probe's other clients, so this is a lack of threads or
      // memory: these partitions' ages are interpolated or unknown, and read on a later cycle.
      return all;
    }
  }
  for (const auto& batch : interleaved_batches(wanted)) {
    if (!all.denied.empty() || std::chrono::system_clock::now() >= deadline) break;
    RecordReads reads = fetch_record_timestamps(client_.get(), batch, deadline);
    all.timestamps_ms.merge(reads.timestamps_ms);
    all.denied = reads.denied;
  }
  return all;
}

WireCounts RecordReader::wire_counts() const {
  return client_ ? cdcwatch::wire_counts(client_.get()) : WireCounts{};
}

RecordReads fetch_record_timestamps(rd_kafka_t* consumer,
                                    const std::map<TopicPartition, int64_t>& wanted,
                                    TimePoint deadline) {
  RecordReads out;
  PartitionList list(rd_kafka_topic_partition_list_new(static_cast<int>(wanted.size())));
  for (const auto& [tp, offset] : wanted) {
    rd_kafka_topic_partition_list_add(list.get(), tp.first.c_str(), tp.second)->offset = offset;
  }
  if (wanted.empty() || rd_kafka_assign(consumer, list.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return out;
  }

  while (out.timestamps_ms.size() < wanted.size() && std::chrono::system_clock::now() < deadline) {
    rd_kafka_message_t* message = rd_kafka_consumer_poll(consumer, 100);
    if (!message) continue;
    if (message->err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED) {
      out.denied = std::string("reading records is not permitted (") +
                   rd_kafka_err2str(message->err) +
                   "): grant READ on the topics, or lag in seconds is interpolated";
      rd_kafka_message_destroy(message);
      break;
    }
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      TopicPartition tp{rd_kafka_topic_name(message->rkt), message->partition};
      auto want = wanted.find(tp);
      if (want != wanted.end() && message->offset >= want->second) {
        out.timestamps_ms.emplace(std::pair{tp, want->second},
                                  rd_kafka_message_timestamp(message, nullptr));
      }
    }
    rd_kafka_message_destroy(message);
  }
  rd_kafka_assign(consumer, nullptr);
  return out;
}

}  // namespace cdcwatch
