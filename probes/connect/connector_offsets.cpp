#include "probes/connect/connector_offsets.h"

#include <charconv>

namespace cdcwatch {

std::optional<double> parse_pg_lsn(const std::string& text) {
  auto slash = text.find('/');
  if (slash == std::string::npos) return std::nullopt;
  uint64_t high = 0, low = 0;
  auto [end_high, ec_high] = std::from_chars(text.data(), text.data() + slash, high, 16);
  auto [end_low, ec_low] =
      std::from_chars(text.data() + slash + 1, text.data() + text.size(), low, 16);
  if (ec_high != std::errc() || ec_low != std::errc() || end_high != text.data() + slash ||
      end_low != text.data() + text.size()) {
    return std::nullopt;
  }
  return static_cast<double>((high << 32) | low);
}

std::optional<double> debezium_committed_lsn(const nlohmann::json& offset) {
  if (!offset.is_object()) return std::nullopt;
  for (const char* key : {"lsn", "lsn_commit", "lsn_proc"}) {
    if (!offset.contains(key)) continue;
    const auto& value = offset[key];
    if (value.is_number_integer()) return static_cast<double>(value.get<int64_t>());
    if (value.is_string()) {
      if (auto lsn = parse_pg_lsn(value.get<std::string>())) return lsn;
    }
  }
  return std::nullopt;
}

OffsetsAnswer parse_offsets_answer(const std::string& body) {
  OffsetsAnswer out;
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (!doc.is_object() || !doc.contains("offsets") || !doc["offsets"].is_array()) {
    out.error = "GET /connectors/<name>/offsets answered without an offsets list";
    return out;
  }
  for (const auto& entry : doc["offsets"]) {
    if (!entry.is_object() || !entry.contains("offset")) continue;
    const auto& offset = entry["offset"];
    if (offset.is_object() && offset.contains("kafka_offset") &&
        offset["kafka_offset"].is_number()) {
      out.sink_offset_sum = out.sink_offset_sum.value_or(0) + offset["kafka_offset"].get<double>();
    } else if (auto lsn = debezium_committed_lsn(offset)) {
      out.source_lsn = std::max(out.source_lsn.value_or(0), *lsn);
    }
  }
  return out;
}

OffsetsTopicReader::OffsetsTopicReader(KafkaClusterConfig kafka, std::string topic)
    : kafka_(std::move(kafka)), topic_(std::move(topic)) {}

std::string OffsetsTopicReader::assign(int timeout_ms) {
  if (!consumer_) consumer_ = make_kafka_consumer(kafka_, "cdcwatch-connect-offsets");
  std::string problem = assign_whole_topic(
      consumer_.get(), kafka_.name, topic_, RD_KAFKA_OFFSET_BEGINNING, timeout_ms,
      "offsets topic " + topic_ + " not found on kafka " + kafka_.name +
          ": set offsets_topic to the workers' offset.storage.topic");
  assigned_ = problem.empty();
  return problem;
}

std::string OffsetsTopicReader::poll(int budget_ms) {
  if (!assigned_) {
    if (std::string problem = assign(budget_ms); !problem.empty()) return problem;
  }
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(budget_ms);
  std::string error;
  for (bool first = true; std::chrono::steady_clock::now() < until; first = false) {
    rd_kafka_message_t* message = rd_kafka_consumer_poll(consumer_.get(), first ? 200 : 0);
    if (!message) break;
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR && message->key) {
      auto key = nlohmann::json::parse(static_cast<const char*>(message->key),
                                       static_cast<const char*>(message->key) + message->key_len,
                                       nullptr, false);
      // Key: ["<connector>", {partition}]; anything else is not a source offset and is skipped.
      if (key.is_array() && key.size() == 2 && key[0].is_string()) {
        auto& partitions = offsets_[key[0].get<std::string>()];
        if (!message->payload || message->len == 0) {
          partitions.erase(key[1].dump());
        } else {
          auto value = nlohmann::json::parse(
              static_cast<const char*>(message->payload),
              static_cast<const char*>(message->payload) + message->len, nullptr, false);
          if (!value.is_discarded()) partitions[key[1].dump()] = value;
        }
      }
    } else if (message->err != RD_KAFKA_RESP_ERR__PARTITION_EOF &&
               message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      error = "reading " + topic_ + ": " + rd_kafka_message_errstr(message);
    }
    rd_kafka_message_destroy(message);
  }
  return error;
}

std::map<std::string, nlohmann::json> OffsetsTopicReader::offsets_of(
    const std::string& connector) const {
  auto it = offsets_.find(connector);
  return it == offsets_.end() ? std::map<std::string, nlohmann::json>{} : it->second;
}

}  // namespace cdcwatch
