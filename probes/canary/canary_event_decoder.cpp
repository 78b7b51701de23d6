#include "probes/canary/canary_event_decoder.h"

#include <vector>

#include "probes/canary/avro_event.h"

namespace cdcwatch {
namespace {

const MetricDef kRegistryErrors{"cdcwatch_canary_schema_registry_errors_total",
                                "Failed writer-schema look-ups for the canary topic's Avro events, "
                                "by reason: http, auth, not_found, unsupported, response",
                                MetricType::kCounter};
const std::vector<std::string> kReasons = {"http", "auth", "not_found", "unsupported", "response"};

const MetricDef kUnsupportedEvents{
    "cdcwatch_canary_unsupported_events_total",
    "Events on the canary topic in a format cdcwatch does not read, by format: protobuf, "
    "json_schema, apicurio_global_id, apicurio_artifact_headers, schema_registry_not_configured",
    MetricType::kCounter};
const std::vector<std::string> kFormats = {"protobuf", "json_schema", "apicurio_global_id",
                                           "apicurio_artifact_headers",
                                           "schema_registry_not_configured"};

const char* const kGlobalIdFix =
    "Apicurio's global ids are resolved through its own API, so point schema_registry.url at "
    "Apicurio's Confluent-compatible API (https://<apicurio>/apis/ccompat/v7), or set the "
    "connector's Apicurio converter to apicurio.registry.use-id=contentId (3.x: its default "
    "Default4ByteIdHandler; 2.x: with apicurio.registry.as-confluent=true)";

// The registry's schemaType as the format label, and the converter that writes it.
std::pair<std::string, std::string> schema_format(const std::string& schema_type) {
  if (schema_type == "PROTOBUF") return {"protobuf", "Confluent's ProtobufConverter"};
  return {"json_schema", "Confluent's JsonSchemaConverter"};
}

void set_counts(Readings& readings, const MetricDef& def, const std::string& label,
                const std::map<std::string, uint64_t>& counts, const std::string& canary,
                const std::vector<std::string>& keys) {
  for (const std::string& key : keys) {
    auto count = counts.find(key);
    readings.set(def, {{"canary", canary}, {label, key}},
                 count == counts.end() ? 0.0 : static_cast<double>(count->second));
  }
}

}  // namespace

CanaryEventDecoder::CanaryEventDecoder(const std::optional<SchemaRegistryConfig>& registry) {
  if (registry) schemas_ = std::make_unique<SchemaRegistryClient>(*registry);
}

CanaryEventDecoder::CanaryEventDecoder(std::unique_ptr<WriterSchemaSource> schemas)
    : schemas_(std::move(schemas)) {}

ParsedCanaryEvent CanaryEventDecoder::unreadable(std::map<std::string, uint64_t>& counts,
                                                 const std::string& key, std::string message) {
  ++counts[key];
  ++unreadable_;
  last_unreadable_ = message;
  return {ParsedCanaryEvent::Kind::kError, {}, std::move(message)};
}

ParsedCanaryEvent CanaryEventDecoder::decode(std::string_view value, const RecordHeaders& headers,
                                             Millis budget) {
  RecordFraming framing = detect_framing(value, headers);
  switch (framing.kind) {
    case RecordFraming::Kind::kPlain:
      return parse_canary_event(value);
    case RecordFraming::Kind::kUnsupported:
      return unreadable(unsupported_, framing.format, framing.problem);
    case RecordFraming::Kind::kGlobalId:
      if (schemas_ && schemas_->resolves_global_ids()) return decode_avro(framing, budget);
      return unreadable(unsupported_, framing.format, framing.problem + ": " + kGlobalIdFix);
    case RecordFraming::Kind::kSchemaId:
      break;
  }
  if (!schemas_) {
    ParsedCanaryEvent json = parse_canary_event(value);
    if (json.kind != ParsedCanaryEvent::Kind::kError) return json;
    return unreadable(unsupported_, "schema_registry_not_configured",
                      "schema id " + std::to_string(framing.schema_id) +
                          " in Schema Registry framing, and no schema_registry: on this kafka: "
                          "entry: add schema_registry.url (the registry the connector's "
                          "converter uses), or give the connector the JsonConverter");
  }
  return decode_avro(framing, budget);
}

ParsedCanaryEvent CanaryEventDecoder::decode_avro(const RecordFraming& framing, Millis budget) {
  bool global = framing.kind == RecordFraming::Kind::kGlobalId;
  WriterSchema schema = schemas_->avro_schema(
      framing.schema_id, global ? SchemaIdKind::kApicurioGlobalId : SchemaIdKind::kSchemaId,
      budget);
  if (schema.ok()) {
    return parse_avro_datum(framing.datum, schema.avro,
                            std::string("Avro event with ") + (global ? "global" : "schema") +
                                " id " + std::to_string(framing.schema_id));
  }
  if (schema.error_reason != "unsupported") {
    return unreadable(registry_errors_, schema.error_reason, schema.error_message);
  }
  ++registry_errors_["unsupported"];
  auto [format, converter] = schema_format(schema.schema_type);
  std::string indexes =
      format == "protobuf" ? protobuf_message_indexes(framing.datum) : std::string();
  return unreadable(unsupported_, format,
                    schema.error_message + " (" + converter +
                        (indexes.empty() ? "" : ", message indexes " + indexes) +
                        ", not supported by cdcwatch)");
}

void CanaryEventDecoder::report(Readings& readings, const std::string& canary) const {
  set_counts(readings, kUnsupportedEvents, "format", unsupported_, canary, kFormats);
  if (schemas_) set_counts(readings, kRegistryErrors, "reason", registry_errors_, canary, kReasons);
}

}  // namespace cdcwatch
