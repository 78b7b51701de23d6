#include "probes/canary/debezium_event.h"

#include <charconv>
#include <nlohmann/json.hpp>

#include "probes/canary/debezium_temporal.h"
#include "probes/warehouseconn/json_member.h"

namespace cdcwatch {
namespace {

using Json = nlohmann::json;
using Kind = ParsedCanaryEvent::Kind;

// io.debezium.connector.common.Heartbeat: a value of {"ts_ms": ...} (debezium/debezium,
// SchemaFactory.heartbeatValueSchema).
constexpr const char* kHeartbeatSchema = "io.debezium.connector.common.Heartbeat";

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

// The Connect schema of a struct's field, from a `schema` block ({"type":"struct","fields":[...]});
// null when the event has no schemas or no such field.
const Json* field_schema(const Json* schema, const std::string& name) {
  if (!schema || !schema->is_object() || !schema->contains("fields")) return nullptr;
  const Json& fields = (*schema)["fields"];
  if (!fields.is_array()) return nullptr;
  for (const auto& field : fields) {
    if (field.is_object() && string_member(field, "field") == name) return &field;
  }
  return nullptr;
}

std::string schema_name(const Json* schema) {
  if (!schema || !schema->is_object() || !(*schema).contains("name")) return "";
  const Json& name = (*schema)["name"];
  return name.is_string() ? name.get<std::string>() : "";
}

// `schema`: the row's Connect schema when the event carries schemas, else null.
ParsedCanaryEvent parse_row(const Json& row, const std::string& where, const Json* schema) {
  if (!row.is_object()) return error(where + " is not an object");
  ParsedCanaryEvent out{Kind::kEvent, {}, {}};
  if (!row.contains("agent_id") || !row["agent_id"].is_string()) {
    return error(where + ".agent_id is missing or not a string; is this the canary table's topic?");
  }
  out.event.agent_id = row["agent_id"].get<std::string>();
  auto seq = row.contains("seq") ? integer_field(row["seq"]) : std::nullopt;
  if (!seq) return error(where + ".seq is missing or not an integer");
  out.event.seq = *seq;
  if (!row.contains("written_at")) return error(where + ".written_at is missing");
  DecodedTime written =
      decode_debezium_timestamp(row["written_at"], schema_name(field_schema(schema, "written_at")));
  if (!written.seconds) {
    return error(where + ".written_at " + written.problem +
                 " (expected a Debezium timestamp: a ZonedTimestamp string such as "
                 "2026-11-25T21:47:23.123456Z, or a Timestamp, MicroTimestamp or NanoTimestamp "
                 "number)");
  }
  out.event.written_at = *written.seconds;
  return out;
}

// Events on a table's topic that carry no row: truncate (op "t") and logical decoding message
// (op "m", pg_logical_emit_message) events, and heartbeats (ts_ms alone) when schemas are off.
// https://debezium.io/documentation/reference/stable/connectors/postgresql.html#postgresql-truncate-events
// and #postgresql-message-events.
std::optional<std::string> non_row_event(const Json& doc) {
  std::string op = doc.contains("op") && doc["op"].is_string() ? doc["op"].get<std::string>()
                   : doc.contains("__op") && doc["__op"].is_string()
                       ? doc["__op"].get<std::string>()
                       : "";
  if (op == "t") return "truncate";
  if (op == "m") return "message";
  if (doc.size() == 1 && doc.contains("ts_ms")) return "heartbeat";
  return std::nullopt;
}

}  // namespace

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
  Json whole = Json::parse(value.begin(), value.end(), nullptr, false);
  if (whole.is_discarded()) {
    return error(
        "value is not JSON (and not Schema Registry encoded); expected a Debezium change event");
  }
  return parse_canary_document(whole);
}

ParsedCanaryEvent parse_canary_document(const nlohmann::json& whole) {
  const Json* schema = nullptr;
  const Json* body = &whole;
  if (whole.is_object() && whole.contains("schema") && whole.contains("payload")) {
    schema = &whole["schema"];  // schemas.enable=true
    body = &whole["payload"];
    if (schema_name(schema) == kHeartbeatSchema) return skip("heartbeat");
    if (body->is_null()) return skip("tombstone");
  }
  const Json& doc = *body;
  if (!doc.is_object())
    return error("value is JSON but not an object; expected a Debezium change event");
  if (auto kind = non_row_event(doc)) return skip(*kind);

  bool envelope = doc.contains("op") && (doc.contains("after") || doc.contains("before"));
  if (envelope) {
    if (!doc.contains("after") || doc["after"].is_null()) return skip("delete");
    ParsedCanaryEvent out = parse_row(doc["after"], "after", field_schema(schema, "after"));
    if (out.kind != Kind::kEvent) return out;
    if (doc.contains("source")) out.event.committed_at = millis_field(doc["source"], "ts_ms");
    out.event.captured_at = millis_field(doc, "ts_ms");
    return out;
  }
  if (doc.contains("__deleted") && (doc["__deleted"] == "true" || doc["__deleted"] == true)) {
    return skip("delete");
  }
  ParsedCanaryEvent out = parse_row(doc, "value", schema);
  if (out.kind != Kind::kEvent) return out;
  out.event.committed_at = millis_field(doc, "__source_ts_ms");
  out.event.captured_at = millis_field(doc, "__ts_ms");
  return out;
}

}  // namespace cdcwatch
