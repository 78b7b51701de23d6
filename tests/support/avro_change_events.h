// The pipeline simulator's Avro mode: Debezium change events as Confluent's AvroConverter writes
// them. A table's value schema is derived from the change's columns (as Debezium derives it from
// the table: optional fields, timestamptz as io.debezium.time.ZonedTimestamp, numeric as a string
// with decimal.handling.mode=string), registered under the subject <topic>-value with
// POST /subjects/{subject}/versions once per distinct schema (the converter caches it too), and
// the datum framed with magic byte 0 and the 4-byte id
// (https://docs.confluent.io/platform/current/schema-registry/fundamentals/serdes-develop/index.html#wire-format).
// A column added to the table gives a new schema, hence a second id on the topic (schema
// evolution). Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cdcwatch::testing {

class AvroChangeEvents {
 public:
  // Column name and PostgreSQL type, as test_decoding names it ("bigint", "text", ...).
  using Columns = std::vector<std::pair<std::string, std::string>>;

  explicit AvroChangeEvents(std::string registry_url) : registry_url_(std::move(registry_url)) {}
  // `event`: the Debezium envelope (before, after, source, op, ts_ms) of a row of `columns`.
  // Throws std::runtime_error when the registry refuses the schema.
  std::string encode(const std::string& topic, const Columns& columns, const nlohmann::json& event);
  // A framed event back to the JSON envelope, as the sink's converter reads it.
  std::optional<nlohmann::json> decode(std::string_view framed) const;

 private:
  uint32_t schema_id(const std::string& subject, const std::string& schema);

  std::string registry_url_;
  mutable std::mutex mutex_;
  std::map<std::string, uint32_t> ids_;      // schema text -> registered id
  std::map<uint32_t, std::string> schemas_;  // id -> schema text
};

}  // namespace cdcwatch::testing
