// A canary row as it arrives in Kafka: a Debezium change event in JSON, with or without
// `schemas.enable` ({"schema":..., "payload":...}), as the full envelope (before/after/source/op)
// or flattened by ExtractNewRecordState (with `__deleted` and optional `__source_ts_ms`/`__ts_ms`).
// written_at in any of Debezium's temporal encodings (debezium_temporal.h); truncate, message and
// heartbeat events are recognised and skipped.
// Reference: https://debezium.io/documentation/reference/stable/connectors/postgresql.html
// (change event values, temporal types) and .../transformations/event-flattening.html.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace cdcwatch {

struct CanaryEvent {
  std::string agent_id;
  int64_t seq = 0;
  double written_at = 0;               // unix seconds, database clock
  std::optional<double> committed_at;  // source.ts_ms: commit in the database (database clock)
  std::optional<double> captured_at;   // ts_ms: when the connector processed it (Connect clock)
};

struct ParsedCanaryEvent {
  enum class Kind { kEvent, kSkip, kError } kind = Kind::kError;
  CanaryEvent event;
  // For a skip, the kind of event that carries no canary row: tombstone, delete, truncate,
  // message or heartbeat. For an error, what is wrong and how to fix it.
  std::string message;
};

ParsedCanaryEvent parse_canary_event(std::string_view value);
// The same rules on an event already decoded: {"schema": <Connect schema>, "payload": ...} or the
// payload alone (the Avro decoder hands its events over in this shape).
ParsedCanaryEvent parse_canary_document(const nlohmann::json& whole);

}  // namespace cdcwatch
