// Avro datums to and from JSON with avro-c, for test peers that write or read Avro (the canary
// tests' events, the pipeline simulator's Avro mode). Unions are Debezium's optional fields
// (["null", T]): null is their first branch, any other value their last.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace cdcwatch::testing {

// `value` in Avro binary with the schema `schema_json` (fields absent from an object are null).
std::string encode_avro(const std::string& schema_json, const nlohmann::json& value);
// The datum as JSON (unions unwrapped, records as objects); nullopt when it does not decode.
std::optional<nlohmann::json> decode_avro(std::string_view datum, const std::string& schema_json);

}  // namespace cdcwatch::testing
