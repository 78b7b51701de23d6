// Debezium change events of the canary table in Confluent's Avro wire format, encoded with avro-c
// from the envelope schema as Confluent's AvroConverter registers it (Connect schema names kept as
// `connect.name`): for the Avro decoder's and the Kafka observer's tests.
#pragma once

#include <avro.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

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

// Sets an Avro value from JSON: a union takes its first branch for null and its last otherwise
// (["null", T] as Debezium's optional fields), a record its fields by name (null when absent).
inline void set_avro(avro_value_t& target, const Json& value) {
  avro_value_t branch, field;
  switch (avro_value_get_type(&target)) {
    case AVRO_UNION: {
      size_t branches = avro_schema_union_size(avro_value_get_schema(&target));
      avro_value_set_branch(&target, value.is_null() ? 0 : static_cast<int>(branches - 1), &branch);
      set_avro(branch, value);
      return;
    }
    case AVRO_RECORD: {
      size_t fields = 0;
      avro_value_get_size(&target, &fields);
      for (size_t i = 0; i < fields; ++i) {
        const char* name = nullptr;
        avro_value_get_by_index(&target, i, &field, &name);
        set_avro(field, value.contains(name) ? value[name] : Json(nullptr));
      }
      return;
    }
    case AVRO_STRING:
      avro_value_set_string(&target, value.get<std::string>().c_str());
      return;
    case AVRO_INT32:
      avro_value_set_int(&target, value.get<int32_t>());
      return;
    case AVRO_NULL:
      avro_value_set_null(&target);
      return;
    default:
      avro_value_set_long(&target, value.get<int64_t>());
  }
}

// One update event of agent-1, seq 42, framed as Confluent's serializer writes it.
inline std::string encode(const std::string& schema_json, const Json& written_at,
                          int64_t seq = 42) {
  avro_schema_t schema = nullptr;
  EXPECT_EQ(avro_schema_from_json_length(schema_json.data(), schema_json.size(), &schema), 0)
      << avro_strerror();
  avro_value_iface_t* iface = avro_generic_class_from_schema(schema);
  avro_value_t event, field, branch, row_field;
  avro_generic_value_new(iface, &event);
  avro_value_get_by_name(&event, "before", &field, nullptr);
  avro_value_set_branch(&field, 0, &branch);
  avro_value_set_null(&branch);
  avro_value_get_by_name(&event, "after", &field, nullptr);
  avro_value_set_branch(&field, 1, &branch);
  avro_value_get_by_name(&branch, "agent_id", &row_field, nullptr);
  avro_value_set_string(&row_field, "agent-1");
  avro_value_get_by_name(&branch, "seq", &row_field, nullptr);
  avro_value_set_long(&row_field, seq);
  avro_value_get_by_name(&branch, "written_at", &row_field, nullptr);
  set_avro(row_field, written_at);
  avro_value_get_by_name(&event, "source", &field, nullptr);
  for (const char* name : {"version", "connector", "name"}) {
    avro_value_get_by_name(&field, name, &row_field, nullptr);
    avro_value_set_string(&row_field, name == std::string("connector") ? "postgresql" : "orders");
  }
  avro_value_get_by_name(&field, "ts_ms", &row_field, nullptr);
  avro_value_set_long(&row_field, 1478267490124);
  avro_value_get_by_name(&event, "op", &field, nullptr);
  avro_value_set_string(&field, "u");
  avro_value_get_by_name(&event, "ts_ms", &field, nullptr);
  avro_value_set_branch(&field, 1, &branch);
  avro_value_set_long(&branch, 1478267490300);

  char buffer[1024];
  avro_writer_t writer = avro_writer_memory(buffer, sizeof buffer);
  EXPECT_EQ(avro_value_write(writer, &event), 0) << avro_strerror();
  std::string framed = {'\0', 0, 0, 1, 7};  // schema id 263
  framed.append(buffer, static_cast<size_t>(avro_writer_tell(writer)));
  avro_writer_free(writer);
  avro_value_decref(&event);
  avro_value_iface_decref(iface);
  avro_schema_decref(schema);
  return framed;
}

}  // namespace cdcwatch::testing
