// Debezium change events of the canary table in Confluent's Avro wire format, encoded with avro-c
// from the envelope schema as Confluent's AvroConverter registers it (Connect schema names kept as
// `connect.name`): for the Avro decoder's and the Kafka observer's tests.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/avro_json.h"

namespace cdcwatch::testing {

using Json = nlohmann::json;
inline constexpr uint32_t kSchemaId = 263;

// The envelope of orders.public.cdcwatch_canary (postgresql.adoc, "Change event values"), with
// written_at's Avro type as given.
inline std::string envelope_schema(const Json& written_at_type) {
  Json value = {{"type", "record"},
                {"name", "Value"},
                {"namespace", "orders.public.cdcwatch_canary"},
                {"fields",
                 {{{"name", "agent_id"}, {"type", "string"}},
                  {{"name", "seq"}, {"type", "long"}},
                  {{"name", "written_at"}, {"type", written_at_type}}}},
                {"connect.name", "orders.public.cdcwatch_canary.Value"}};
  Json source = {{"type", "record"},
                 {"name", "Source"},
                 {"namespace", "io.debezium.connector.postgresql"},
                 {"fields",
                  {{{"name", "version"}, {"type", "string"}},
                   {{"name", "connector"}, {"type", "string"}},
                   {{"name", "name"}, {"type", "string"}},
                   {{"name", "ts_ms"}, {"type", "long"}}}},
                 {"connect.name", "io.debezium.connector.postgresql.Source"}};
  return Json{{"type", "record"},
              {"name", "Envelope"},
              {"namespace", "orders.public.cdcwatch_canary"},
              {"fields",
               {{{"name", "before"}, {"type", {"null", value}}, {"default", nullptr}},
                {{"name", "after"},
                 {"type", {"null", "orders.public.cdcwatch_canary.Value"}},
                 {"default", nullptr}},
                {{"name", "source"}, {"type", source}},
                {{"name", "op"}, {"type", "string"}},
                {{"name", "ts_ms"}, {"type", {"null", "long"}}, {"default", nullptr}}}},
              {"connect.name", "orders.public.cdcwatch_canary.Envelope"}}
      .dump();
}

// One update event of agent-1, seq 42, framed as Confluent's serializer writes it.
inline std::string encode(const std::string& schema_json, const Json& written_at,
                          int64_t seq = 42) {
  Json event = {{"before", nullptr},
                {"after", {{"agent_id", "agent-1"}, {"seq", seq}, {"written_at", written_at}}},
                {"source",
                 {{"version", "orders"},
                  {"connector", "postgresql"},
                  {"name", "orders"},
                  {"ts_ms", 1478267490124}}},
                {"op", "u"},
                {"ts_ms", 1478267490300}};
  return std::string({'\0', 0, 0, 1, 7}) + encode_avro(schema_json, event);  // schema id 263
}

}  // namespace cdcwatch::testing
