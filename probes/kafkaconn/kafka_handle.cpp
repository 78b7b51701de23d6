#include "probes/kafkaconn/kafka_handle.h"

#include <atomic>
#include <stdexcept>
#include <tuple>

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

std::atomic<bool> counting_wire_traffic{false};

// Updated from librdkafka's broker threads, read from the caller's.
struct HandleWire {
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> bytes_sent{0};
  std::atomic<uint64_t> bytes_received{0};
  std::array<std::atomic<uint64_t>, std::tuple_size_v<decltype(WireCounts::requests_by_api_key)>>
      by_api_key{};
  std::array<std::atomic<uint64_t>, std::tuple_size_v<decltype(WireCounts::requests_by_api_key)>>
      received_by_api_key{};
};

rd_kafka_resp_err_t on_request_sent(rd_kafka_t*, int, const char*, int32_t, int16_t api_key,
                                    int16_t, int32_t, size_t size, void* opaque) {
  auto* wire = static_cast<HandleWire*>(opaque);
  ++wire->requests;
  wire->bytes_sent += size;
  if (api_key >= 0 && static_cast<size_t>(api_key) < wire->by_api_key.size()) {
    ++wire->by_api_key[api_key];
  }
  return RD_KAFKA_RESP_ERR_NO_ERROR;
}

rd_kafka_resp_err_t on_response_received(rd_kafka_t*, int, const char*, int32_t, int16_t api_key,
                                         int16_t, int32_t, size_t size, int64_t,
                                         rd_kafka_resp_err_t, void* opaque) {
  auto* wire = static_cast<HandleWire*>(opaque);
  wire->bytes_received += size;
  if (api_key >= 0 && static_cast<size_t>(api_key) < wire->received_by_api_key.size()) {
    wire->received_by_api_key[api_key] += size;
  }
  return RD_KAFKA_RESP_ERR_NO_ERROR;
}

rd_kafka_resp_err_t on_new(rd_kafka_t* handle, const rd_kafka_conf_t*, void* opaque, char*,
                           size_t) {
  rd_kafka_interceptor_add_on_request_sent(handle, "cdcwatch-wire", on_request_sent, opaque);
  rd_kafka_interceptor_add_on_response_received(handle, "cdcwatch-wire", on_response_received,
                                                opaque);
  return RD_KAFKA_RESP_ERR_NO_ERROR;
}

}  // namespace

void KafkaHandleDeleter::operator()(rd_kafka_t* handle) const {
  if (!handle) return;
  auto* wire = static_cast<HandleWire*>(rd_kafka_opaque(handle));
  rd_kafka_destroy(handle);
  delete wire;
}

WireCounts& WireCounts::operator+=(const WireCounts& other) {
  requests += other.requests;
  bytes_sent += other.bytes_sent;
  bytes_received += other.bytes_received;
  for (size_t i = 0; i < requests_by_api_key.size(); ++i) {
    requests_by_api_key[i] += other.requests_by_api_key[i];
    bytes_received_by_api_key[i] += other.bytes_received_by_api_key[i];
  }
  return *this;
}

void count_wire_traffic(bool on) { counting_wire_traffic = on; }

WireCounts wire_counts(rd_kafka_t* handle) {
  const auto* wire = static_cast<const HandleWire*>(rd_kafka_opaque(handle));
  WireCounts out;
  out.requests = wire->requests;
  out.bytes_sent = wire->bytes_sent;
  out.bytes_received = wire->bytes_received;
  for (size_t i = 0; i < out.requests_by_api_key.size(); ++i) {
    out.requests_by_api_key[i] = wire->by_api_key[i];
    out.bytes_received_by_api_key[i] = wire->received_by_api_key[i];
  }
  return out;
}

uint64_t requests_sent(rd_kafka_t* handle) { return wire_counts(handle).requests; }

std::string api_key_name(int api_key) {
  // The request kinds a cdcwatch client sends
  // (https://kafka.apache.org/protocol#protocol_api_keys).
  switch (api_key) {
    case 0:
      return "Produce";
    case 1:
      return "Fetch";
    case 2:
      return "ListOffsets";
    case 3:
      return "Metadata";
    case 8:
      return "OffsetCommit";
    case 9:
      return "OffsetFetch";
    case 10:
      return "FindCoordinator";
    case 16:
      return "ListGroups";
    case 17:
      return "SaslHandshake";
    case 18:
      return "ApiVersions";
    case 36:
      return "SaslAuthenticate";
    default:
      return "ApiKey " + std::to_string(api_key);
  }
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
  auto wire = std::make_unique<HandleWire>();
  rd_kafka_conf_set_opaque(conf, wire.get());
  bool counting = counting_wire_traffic;
  if (counting) rd_kafka_conf_interceptor_add_on_new(conf, "cdcwatch-wire", on_new, wire.get());
  char error[512] = "";
  rd_kafka_t* handle = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof error);
  if (handle) wire.release();
  if (!handle) {
    // rd_kafka_new's failure path already destroyed the interceptor list it shares with `conf`
    // (librdkafka 2.0.2, rdkafka.c): destroying `conf` would free it twice.
    if (!counting) rd_kafka_conf_destroy(conf);
    throw std::runtime_error(std::string("cannot create a Kafka client: ") + scrub_secrets(error));
  }
  return KafkaHandle(handle);
}

}  // namespace cdcwatch
