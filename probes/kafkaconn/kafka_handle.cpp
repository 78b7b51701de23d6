#include "probes/kafkaconn/kafka_handle.h"

#include <atomic>
#include <charconv>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "agent/core/secrets.h"

namespace cdcwatch {
namespace {

void set(rd_kafka_conf_t* conf, const std::string& key, const SecretString& value) {
  char error[512] = "";
  if (rd_kafka_conf_set(conf, key.c_str(), value.value.c_str(), error, sizeof error) !=
      RD_KAFKA_CONF_OK) {
    rd_kafka_conf_destroy(conf);
    std::string message = error;
    if (value.has_secret()) {
      for (size_t at; (at = message.find(value.value)) != std::string::npos;) {
        message.replace(at, value.value.size(), "<redacted>");
      }
    }
    throw std::runtime_error("kafka property '" + key + "': " + scrub_secrets(message) +
                             "; fix it under properties: in the kafka entry");
  }
}

struct HandleStatistics {
  std::atomic<uint64_t> requests_sent{0};
};

// The top-level "tx" (requests sent) of librdkafka's statistics JSON, found by one scan that tracks
// nesting and strings: the JSON of a client that knows 10,000 partitions is megabytes, emitted
// every second, and parsing it whole cost the benchmark more than the cycle it measured.
std::optional<uint64_t> top_level_tx(std::string_view json) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    char c = json[i];
    if (in_string) {
      if (c == '\\') ++i;
      if (c == '"') in_string = false;
      continue;
    }
    if (c == '{' || c == '[') ++depth;
    if (c == '}' || c == ']') --depth;
    if (c != '"') continue;
    if (depth == 1 && json.substr(i, 5) == "\"tx\":") {
      uint64_t value = 0;
      auto [end, error] = std::from_chars(json.data() + i + 5, json.data() + json.size(), value);
      if (error == std::errc()) return value;
    }
    in_string = true;
  }
  return std::nullopt;
}

int on_statistics(rd_kafka_t*, char* json, size_t json_len, void* opaque) {
  if (auto tx = top_level_tx(std::string_view(json, json_len))) {
    static_cast<HandleStatistics*>(opaque)->requests_sent = *tx;
  }
  return 0;
}

}  // namespace

void KafkaHandleDeleter::operator()(rd_kafka_t* handle) const {
  if (!handle) return;
  auto* statistics = static_cast<HandleStatistics*>(rd_kafka_opaque(handle));
  rd_kafka_destroy(handle);
  delete statistics;
}

uint64_t requests_sent(rd_kafka_t* handle) {
  rd_kafka_poll(handle, 0);  // serves a pending statistics callback
  return static_cast<HandleStatistics*>(rd_kafka_opaque(handle))->requests_sent;
}

std::string assign_whole_topic(rd_kafka_t* consumer, const std::string& cluster,
                               const std::string& topic, int64_t start, int timeout_ms,
                               const std::string& missing) {
  const rd_kafka_metadata_t* metadata = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(consumer, 1, nullptr, &metadata, timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return "cannot read metadata from kafka " + cluster + ": " + rd_kafka_err2str(err);
  }
  std::string problem = missing;
  for (int t = 0; t < metadata->topic_cnt; ++t) {
    const auto& found = metadata->topics[t];
    if (topic != found.topic || found.err != RD_KAFKA_RESP_ERR_NO_ERROR ||
        found.partition_cnt == 0) {
      continue;
    }
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(found.partition_cnt);
    for (int p = 0; p < found.partition_cnt; ++p) {
      rd_kafka_topic_partition_list_add(list, topic.c_str(), found.partitions[p].id)->offset =
          start;
    }
    err = rd_kafka_assign(consumer, list);
    rd_kafka_topic_partition_list_destroy(list);
    problem = err == RD_KAFKA_RESP_ERR_NO_ERROR
                  ? ""
                  : std::string("assign failed: ") + rd_kafka_err2str(err);
  }
  rd_kafka_metadata_destroy(metadata);
  return problem;
}

KafkaHandle make_kafka_consumer(const KafkaClusterConfig& config, const std::string& group_id) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  auto plain = [](const std::string& v) { return SecretString{v, v}; };
  std::string timeout = std::to_string(config.request_timeout.count());
  set(conf, "bootstrap.servers", plain(config.bootstrap_servers));
  set(conf, "client.id", plain("cdcwatch"));
  set(conf, "group.id", plain(group_id));
  set(conf, "enable.auto.commit", plain("false"));
  set(conf, "enable.auto.offset.store", plain("false"));
  set(conf, "socket.timeout.ms", plain(timeout));
  set(conf, "reconnect.backoff.max.ms", plain("10000"));
  set(conf, "log_level", plain("3"));
  // cdcwatch reads single records: keep the prefetch queue and per-partition fetches small.
  set(conf, "queued.max.messages.kbytes", plain("4096"));
  set(conf, "fetch.message.max.bytes", plain("65536"));
  for (const auto& [key, value] : config.properties) set(conf, key, value);
  auto statistics = std::make_unique<HandleStatistics>();
  rd_kafka_conf_set_opaque(conf, statistics.get());
  rd_kafka_conf_set_stats_cb(conf, on_statistics);
  char error[512] = "";
  rd_kafka_t* handle = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof error);
  if (handle) statistics.release();
  if (!handle) {
    rd_kafka_conf_destroy(conf);
    throw std::runtime_error(std::string("cannot create a Kafka client: ") + scrub_secrets(error));
  }
  return KafkaHandle(handle);
}

}  // namespace cdcwatch
