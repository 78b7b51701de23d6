#include "probes/kafka_lag/committed_offsets_reader.h"

#include <algorithm>
#include <chrono>
#include <future>
#include <system_error>

#include "probes/kafkaconn/partition_batches.h"

namespace cdcwatch {
namespace {

CommittedOffsetsReader::GroupOffsets read_group(
    rd_kafka_t* client, const std::string& group,
    std::span<const CommittedOffsetsReader::TopicPartition> partitions,
    std::chrono::steady_clock::time_point deadline) {
  CommittedOffsetsReader::GroupOffsets out;
  for (size_t from = 0; from < partitions.size() && out.error.empty();
       from += kPartitionListBatch) {
    PartitionList batch = partition_batch(partitions, from);
    rd_kafka_topic_partition_list_t* list = batch.get();
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    rd_kafka_resp_err_t err =
        rd_kafka_committed(client, list, static_cast<int>(std::max<int64_t>(left, 1)));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      out.error = "OffsetFetch for group " + group + " failed: " + rd_kafka_err2str(err);
    }
    for (int i = 0; err == RD_KAFKA_RESP_ERR_NO_ERROR && i < list->cnt; ++i) {
      const auto& tp = list->elems[i];
      if (tp.err == RD_KAFKA_RESP_ERR_NO_ERROR && tp.offset >= 0) {
        out.committed.make(tp.topic, tp.partition) = tp.offset;
      } else if (tp.err != RD_KAFKA_RESP_ERR_NO_ERROR &&
                 tp.err != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
        out.error = "OffsetFetch for group " + group + " on " + tp.topic + "[" +
                    std::to_string(tp.partition) + "] failed: " + rd_kafka_err2str(tp.err);
      }
    }
  }
  return out;
}

}  // namespace

std::map<std::string, CommittedOffsetsReader::GroupOffsets> CommittedOffsetsReader::read(
    const std::map<std::string, std::span<const TopicPartition>>& wanted, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  std::map<std::string, std::future<GroupOffsets>> pending;
  std::map<std::string, GroupOffsets> out;
  std::erase_if(clients_, [&](const auto& client) { return !wanted.count(client.first); });
  for (const auto& [group, partitions] : wanted) {
    auto client = clients_.find(group);
    if (client == clients_.end()) {
      try {
        client = clients_.emplace(group, make_kafka_consumer(config_, group)).first;
      } catch (const std::exception& e) {
        out[group].error = e.what();
        continue;
      }
    }
    if (partitions.empty()) {
      out[group];
      continue;
    }
    try {
      pending[group] = std::async(std::launch::async, read_group, client->second.get(), group,
                                  partitions, deadline);
    } catch (const std::system_error& e) {
      out[group].error = std::string("cannot start reading group offsets: ") + e.what();
    }
  }
  // rd_kafka_committed honours its timeout, so every future is ready shortly after the deadline.
  for (auto& [group, future] : pending) out[group] = future.get();
  return out;
}

WireCounts CommittedOffsetsReader::wire_counts() const {
  WireCounts sum;
  for (const auto& [group, client] : clients_) sum += cdcwatch::wire_counts(client.get());
  return sum;
}

}  // namespace cdcwatch
