// Debezium change events in Confluent's Avro wire format: magic byte 0, the writer schema's id
// (4 bytes, big-endian), then the Avro binary datum
// (https://docs.confluent.io/platform/current/schema-registry/fundamentals/serdes-develop/index.html#wire-format).
// Decoded with avro-c against the writer's schema, then read by the same rules as JSON events
// (debezium_event.h): Confluent's AvroConverter keeps each Connect schema name as the Avro
// property `connect.name` (and Connect's Timestamp as logicalType timestamp-millis), which gives
// written_at's unit in every time.precision.mode. Issue #20, step 1: decoding with a known writer
// schema; fetching it from a Schema Registry is a later step.
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

}  // namespace cdcwatch
