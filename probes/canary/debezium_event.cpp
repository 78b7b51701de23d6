#include "probes/canary/debezium_event.h"

#include <cctype>
#include <charconv>
#include <ctime>
#include <nlohmann/json.hpp>

namespace cdcwatch {
namespace {

using Json = nlohmann::json;
using Kind = ParsedCanaryEvent::Kind;

ParsedCanaryEvent skip(std::string why) { return {Kind::kSkip, {}, std::move(why)}; }
ParsedCanaryEvent error(std::string what) { return {Kind::kError, {}, std::move(what)}; }

std::optional<int64_t> integer_field(const Json& value) {
  if (value.is_number_integer()) return value.get<int64_t>();
  if (value.is_string()) {  // decimal.handling.mode=string and friends
    const std::string& text = value.get_ref<const std::string&>();
    int64_t out = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    if (ec == std::errc() && end == text.data() + text.size()) return out;
  }
  return std::nullopt;
}

std::optional<double> millis_field(const Json& object, const char* key) {
  if (!object.is_object() || !object.contains(key)) return std::nullopt;
  auto ms = integer_field(object[key]);
  if (!ms) return std::nullopt;
  return static_cast<double>(*ms) / 1000.0;
}

// ZonedTimestamp string; MicroTimestamp/Timestamp numbers when the column is not timestamptz.
std::optional<double> timestamp_field(const Json& value) {
  if (value.is_string()) return parse_iso8601(value.get_ref<const std::string&>());
  if (value.is_number_integer()) {
    auto n = static_cast<double>(value.get<int64_t>());
    return n > 1e14 || n < -1e14 ? n / 1e6 : n / 1e3;
  }
  return std::nullopt;
}

ParsedCanaryEvent parse_row(const Json& row, const std::string& where) {
  if (!row.is_object()) return error(where + " is not an object");
  ParsedCanaryEvent out{Kind::kEvent, {}, {}};
  if (!row.contains("agent_id") || !row["agent_id"].is_string()) {
    return error(where + ".agent_id is missing or not a string; is this the canary table's topic?");
  }
  out.event.agent_id = row["agent_id"].get<std::string>();
  auto seq = row.contains("seq") ? integer_field(row["seq"]) : std::nullopt;
  if (!seq) return error(where + ".seq is missing or not an integer");
  out.event.seq = *seq;
  auto written = row.contains("written_at") ? timestamp_field(row["written_at"]) : std::nullopt;
  if (!written) {
    return error(where +
                 ".written_at is missing or not a timestamp (expected Debezium's "
                 "ZonedTimestamp string such as 2026-11-25T21:47:23.123456Z)");
  }
  out.event.written_at = *written;
  return out;
}

}  // namespace

std::optional<double> parse_iso8601(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.fraction](Z|+hh:mm|-hh:mm)
  auto digits = [&](size_t at, size_t count) -> std::optional<int> {
    if (at + count > text.size()) return std::nullopt;
    int value = 0;
    for (size_t i = at; i < at + count; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
      value = value * 10 + (text[i] - '0');
    }
    return value;
  };
  auto year = digits(0, 4), month = digits(5, 2), day = digits(8, 2);
  auto hour = digits(11, 2), minute = digits(14, 2), second = digits(17, 2);
  if (!year || !month || !day || !hour || !minute || !second || text.size() < 20 ||
      text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != ' ') || text[13] != ':' ||
      text[16] != ':' || *month < 1 || *month > 12 || *day < 1 || *day > 31 || *hour > 23 ||
      *minute > 59 || *second > 60) {
    return std::nullopt;
  }
  size_t at = 19;
  double fraction = 0;
  if (text[at] == '.') {
    double scale = 0.1;
    ++at;
    size_t start = at;
    while (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at]))) {
      fraction += (text[at] - '0') * scale;
      scale /= 10;
      ++at;
    }
    if (at == start) return std::nullopt;
  }
  int offset_seconds = 0;
  if (at < text.size() && text[at] == 'Z' && at + 1 == text.size()) {
    offset_seconds = 0;
  } else if (at + 6 == text.size() && (text[at] == '+' || text[at] == '-') && text[at + 3] == ':') {
    auto oh = digits(at + 1, 2), om = digits(at + 4, 2);
    if (!oh || !om) return std::nullopt;
    offset_seconds = (*oh * 3600 + *om * 60) * (text[at] == '-' ? -1 : 1);
  } else {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = *year - 1900;
  tm.tm_mon = *month - 1;
  tm.tm_mday = *day;
  tm.tm_hour = *hour;
  tm.tm_min = *minute;
  tm.tm_sec = *second;
  return static_cast<double>(timegm(&tm) - offset_seconds) + fraction;
}

ParsedCanaryEvent parse_canary_event(std::string_view value) {
  if (value.empty()) return skip("tombstone");
  if (value[0] == '\0') {
    std::string id = "?";
    if (value.size() >= 5) {
      uint32_t schema_id = 0;
      for (int i = 1; i <= 4; ++i)
        schema_id = (schema_id << 8) | static_cast<unsigned char>(value[i]);
      id = std::to_string(schema_id);
    }
    return error("Confluent Schema Registry encoding (magic byte 0, schema id " + id +
                 ", e.g. Avro) is not supported by the canary's Kafka observer: give the canary "
                 "topic's connector org.apache.kafka.connect.json.JsonConverter, or watch this "
                 "canary at the warehouse only (drop kafka: from the canary)");
  }
  Json doc = Json::parse(value.begin(), value.end(), nullptr, false);
  if (doc.is_discarded()) {
    return error(
        "value is not JSON (and not Schema Registry encoded); expected a Debezium change event");
  }
  if (doc.is_object() && doc.contains("schema") && doc.contains("payload")) {
    doc = doc["payload"];  // schemas.enable=true
    if (doc.is_null()) return skip("tombstone");
  }
  if (!doc.is_object())
    return error("value is JSON but not an object; expected a Debezium change event");

  bool envelope = doc.contains("op") && (doc.contains("after") || doc.contains("before"));
  if (envelope) {
    if (!doc.contains("after") || doc["after"].is_null()) return skip("delete");
    ParsedCanaryEvent out = parse_row(doc["after"], "after");
    if (out.kind != Kind::kEvent) return out;
    if (doc.contains("source")) out.event.committed_at = millis_field(doc["source"], "ts_ms");
    out.event.captured_at = millis_field(doc, "ts_ms");
    return out;
  }
  if (doc.contains("__deleted") && (doc["__deleted"] == "true" || doc["__deleted"] == true)) {
    return skip("delete");
  }
  ParsedCanaryEvent out = parse_row(doc, "value");
  if (out.kind != Kind::kEvent) return out;
  out.event.committed_at = millis_field(doc, "__source_ts_ms");
  out.event.captured_at = millis_field(doc, "__ts_ms");
  return out;
}

}  // namespace cdcwatch
