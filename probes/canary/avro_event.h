// Debezium change events in Confluent's Avro wire format: magic byte 0, the writer schema's id
// (4 bytes, big-endian), then the Avro binary datum
// (https://docs.confluent.io/platform/current/schema-registry/fundamentals/serdes-develop/index.html#wire-format).
// Decoded with avro-c against the writer's schema, then read by the same rules as JSON events
// (debezium_event.h): Confluent's AvroConverter keeps each Connect schema name as the Avro
// property `connect.name` (and Connect's Timestamp as logicalType timestamp-millis), which gives
// written_at's unit in every time.precision.mode. Issue #20; the writer schema comes from the
// Schema Registry (canary_event_decoder.h), the framing is told apart in record_framing.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "probes/canary/debezium_event.h"

namespace cdcwatch {

// The schema id of a value in Confluent's framing, or nullopt when it is not framed so.
std::optional<uint32_t> confluent_schema_id(std::string_view value);

// `writer_schema`: the Avro schema (JSON) registered under the value's schema id.
ParsedCanaryEvent parse_avro_canary_event(std::string_view value, const std::string& writer_schema);
// The Avro binary datum alone (whatever framing carried its id); `where` names it in errors.
ParsedCanaryEvent parse_avro_datum(std::string_view datum, const std::string& writer_schema,
                                   const std::string& where);

}  // namespace cdcwatch
