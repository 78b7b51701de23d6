// A canary row as it arrives in Kafka: a Debezium change event in JSON, with or without
// `schemas.enable` ({"schema":..., "payload":...}), as the full envelope (before/after/source/op)
// or flattened by ExtractNewRecordState (with `__deleted` and optional `__source_ts_ms`/`__ts_ms`).
// timestamptz arrives as Debezium's ZonedTimestamp string ("2026-11-25T21:47:23.123456Z").
// Reference: https://debezium.io/documentation/reference/stable/connectors/postgresql.html
// (change event values, temporal types) and .../transformations/event-flattening.html.
#pragma once

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
  std::string message;  // why skipped (tombstone, delete) or what is wrong and how to fix it
};

ParsedCanaryEvent parse_canary_event(std::string_view value);

// ISO-8601 date-time with a zone (Z or +hh:mm) to unix seconds; nullopt when malformed.
std::optional<double> parse_iso8601(std::string_view text);

}  // namespace cdcwatch
