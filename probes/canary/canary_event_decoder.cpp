#include "probes/canary/canary_event_decoder.h"

#include "probes/canary/avro_event.h"

namespace cdcwatch {
namespace {

const MetricDef kRegistryErrors{"cdcwatch_canary_schema_registry_errors_total",
                                "Failed writer-schema look-ups for the canary topic's Avro events, "
                                "by reason: http, auth, not_found, unsupported, response",
                                MetricType::kCounter};
const char* const kReasons[] = {"http", "auth", "not_found", "unsupported", "response"};

}  // namespace

CanaryEventDecoder::CanaryEventDecoder(const std::optional<SchemaRegistryConfig>& registry) {
  if (registry) registry_.emplace(*registry);
}

ParsedCanaryEvent CanaryEventDecoder::decode(std::string_view value, Millis budget) {
  auto id = registry_ ? confluent_schema_id(value) : std::nullopt;
  if (!id) return parse_canary_event(value);
  // Confluent's ids start at 1. Four zero bytes after the magic byte are the high half of the
  // 8-byte global id Apicurio's serializers write by default.
  if (*id == 0) {
    return {ParsedCanaryEvent::Kind::kError,
            {},
            "Apicurio's default framing (magic byte 0, 8-byte global id) is not supported: "
            "configure the connector's Apicurio converter for Confluent-compatible 4-byte ids "
            "(apicurio.registry.as-confluent=true) and point schema_registry.url at Apicurio's "
            "Confluent-compatible API (/apis/ccompat/v7)"};
  }
  WriterSchema schema = registry_->avro_schema(*id, budget);
  if (!schema.ok()) {
    ++errors_by_reason_[schema.error_reason];
    last_registry_error_ = schema.error_message;
    return {ParsedCanaryEvent::Kind::kError, {}, schema.error_message};
  }
  return parse_avro_canary_event(value, schema.avro);
}

void CanaryEventDecoder::report(Readings& readings, const std::string& canary) const {
  if (!registry_) return;
  for (const char* reason : kReasons) {
    auto count = errors_by_reason_.find(reason);
    readings.set(kRegistryErrors, {{"canary", canary}, {"reason", reason}},
                 count == errors_by_reason_.end() ? 0.0 : static_cast<double>(count->second));
  }
}

}  // namespace cdcwatch
