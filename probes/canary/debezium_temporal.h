// Debezium's encodings of a PostgreSQL timestamp/timestamptz column, decoded to unix seconds.
// Every `time.precision.mode` the PostgreSQL connector documents
// (https://debezium.io/documentation/reference/stable/connectors/postgresql.html#postgresql-temporal-types,
// and io.debezium.jdbc.TemporalPrecisionMode in debezium/debezium):
//   timestamptz, every mode but structured   STRING io.debezium.time.ZonedTimestamp (ISO, UTC "Z")
//   timestamp(0-3), adaptive*                INT64  io.debezium.time.Timestamp       (ms)
//   timestamp(4-6), adaptive*, microseconds  INT64  io.debezium.time.MicroTimestamp  (µs)
//   timestamp, nanoseconds                   INT64  io.debezium.time.NanoTimestamp   (ns)
//   timestamp, connect                       INT64  org.apache.kafka.connect.data.Timestamp (ms)
//   timestamp, isostring                     STRING io.debezium.time.IsoTimestamp    (ISO, "Z")
//   timestamp(tz), structured                STRUCT io.debezium.time.Structured[Zoned]Timestamp
// A timestamp without zone is Debezium's wall-clock value read as UTC, as its converters do.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace cdcwatch {

struct DecodedTime {
  std::optional<double> seconds;  // unix seconds; nullopt with `problem` set
  std::string problem;            // what is wrong with the value, for the error message
};

// `schema_name`: the field's Connect schema name when the event carries schemas (empty when
// not). Without one, the value's JSON type decides, and an integer's magnitude its unit: see
// unit_from_magnitude().
DecodedTime decode_debezium_timestamp(const nlohmann::json& value, const std::string& schema_name);

// ISO-8601 date-time with a zone (Z or +hh:mm) to unix seconds; nullopt when malformed.
std::optional<double> parse_iso8601(std::string_view text);

}  // namespace cdcwatch
