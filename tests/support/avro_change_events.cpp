#include "tests/support/avro_change_events.h"

#include <httplib.h>

#include <stdexcept>

#include "tests/support/avro_json.h"

namespace cdcwatch::testing {
namespace {

using Json = nlohmann::json;

Json field_type(const std::string& pg_type) {
  if (pg_type == "bigint") return "long";
  if (pg_type == "integer" || pg_type == "smallint") return "int";
  if (pg_type == "boolean") return "boolean";
  if (pg_type == "timestamp with time zone") {
    return {{"type", "string"},
            {"connect.version", 1},
            {"connect.name", "io.debezium.time.ZonedTimestamp"}};
  }
  return "string";  // text, and numeric with decimal.handling.mode=string
}

// The envelope Debezium's PostgreSQL connector registers for `topic` (<prefix>.<schema>.<table>).
std::string envelope_schema(const std::string& topic, const AvroChangeEvents::Columns& columns) {
  Json row = Json::array();
  for (const auto& [name, pg_type] : columns) {
    row.push_back({{"name", name}, {"type", {"null", field_type(pg_type)}}, {"default", nullptr}});
  }
  Json source_fields = Json::array();
  for (const char* name : {"version", "connector", "name", "db", "schema", "table"}) {
    source_fields.push_back({{"name", name}, {"type", "string"}});
  }
  source_fields.push_back({{"name", "ts_ms"}, {"type", "long"}});
  for (const char* name : {"txId", "lsn"}) {
    source_fields.push_back({{"name", name}, {"type", {"null", "long"}}, {"default", nullptr}});
  }
  Json value = {{"type", "record"},
                {"name", "Value"},
                {"namespace", topic},
                {"fields", row},
                {"connect.name", topic + ".Value"}};
  Json source = {{"type", "record"},
                 {"name", "Source"},
                 {"namespace", "io.debezium.connector.postgresql"},
                 {"fields", source_fields},
                 {"connect.name", "io.debezium.connector.postgresql.Source"}};
  Json fields = {{{"name", "before"}, {"type", {"null", value}}, {"default", nullptr}},
                 {{"name", "after"}, {"type", {"null", topic + ".Value"}}, {"default", nullptr}},
                 {{"name", "source"}, {"type", source}},
                 {{"name", "op"}, {"type", "string"}},
                 {{"name", "ts_ms"}, {"type", {"null", "long"}}, {"default", nullptr}}};
  return Json{{"type", "record"},
              {"name", "Envelope"},
              {"namespace", topic},
              {"fields", fields},
              {"connect.name", topic + ".Envelope"}}
      .dump();
}

}  // namespace

uint32_t AvroChangeEvents::schema_id(const std::string& subject, const std::string& schema) {
  std::lock_guard lock(mutex_);
  if (auto it = ids_.find(schema); it != ids_.end()) return it->second;
  httplib::Client registry(registry_url_);
  registry.set_connection_timeout(2);
  auto answer = registry.Post("/subjects/" + subject + "/versions", Json{{"schema", schema}}.dump(),
                              "application/vnd.schemaregistry.v1+json");
  Json body = answer ? Json::parse(answer->body, nullptr, false) : Json();
  if (!answer || answer->status != 200 || !body.contains("id")) {
    throw std::runtime_error("schema registry refused the schema of " + subject);
  }
  auto id = body["id"].get<uint32_t>();
  ids_[schema] = id;
  schemas_[id] = schema;
  return id;
}

std::string AvroChangeEvents::encode(const std::string& topic, const Columns& columns,
                                     const Json& event) {
  std::string schema = envelope_schema(topic, columns);
  uint32_t id = schema_id(topic + "-value", schema);
  std::string framed(1, '\0');
  for (int shift = 24; shift >= 0; shift -= 8) framed += static_cast<char>((id >> shift) & 0xff);
  return framed + encode_avro(schema, event);
}

std::optional<Json> AvroChangeEvents::decode(std::string_view framed) const {
  if (framed.size() < 5 || framed[0] != '\0') return std::nullopt;
  uint32_t id = 0;
  for (int i = 1; i <= 4; ++i) id = (id << 8) | static_cast<unsigned char>(framed[i]);
  std::string schema;
  {
    std::lock_guard lock(mutex_);
    auto it = schemas_.find(id);
    if (it == schemas_.end()) return std::nullopt;
    schema = it->second;
  }
  return decode_avro(framed.substr(5), schema);
}

}  // namespace cdcwatch::testing
