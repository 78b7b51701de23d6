#include "probes/canary/avro_event.h"

#include <avro.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_set>

#include "probes/warehouseconn/json_member.h"

namespace cdcwatch {
namespace {

using Json = nlohmann::json;

// avro-c allocates a string's declared length before checking it against the datum, so a
// malformed length could ask for gigabytes: no single allocation may exceed this (far above any
// Kafka record cdcwatch reads).
constexpr size_t kMaxAvroAllocation = 16 << 20;

// avro-c also forgets that allocation when the datum turns out shorter than declared (its
// read_string returns on the short read without freeing it; found by the fuzz target): what it
// allocates while one datum is decoded is tracked, and what is left once the decoder's own
// objects are released is freed (DatumAllocations).
thread_local std::unordered_set<void*>* tracked_allocations = nullptr;

void* bounded_allocation(void*, void* ptr, size_t, size_t size) {
  if (tracked_allocations && ptr) tracked_allocations->erase(ptr);
  if (size == 0) {
    std::free(ptr);
    return nullptr;
  }
  void* out = size > kMaxAvroAllocation ? nullptr : std::realloc(ptr, size);
  // A failed realloc leaves `ptr` allocated.
  if (tracked_allocations && (out || ptr)) tracked_allocations->insert(out ? out : ptr);
  return out;
}

// Tracks avro-c's allocations on this thread for its lifetime; frees those still live at its end.
class DatumAllocations {
 public:
  DatumAllocations() { tracked_allocations = &live_; }
  ~DatumAllocations() {
    tracked_allocations = nullptr;
    for (void* leaked : live_) std::free(leaked);
  }
  DatumAllocations(const DatumAllocations&) = delete;
  DatumAllocations& operator=(const DatumAllocations&) = delete;

 private:
  std::unordered_set<void*> live_;
};

ParsedCanaryEvent error(std::string what) {
  return {ParsedCanaryEvent::Kind::kError, {}, std::move(what)};
}

std::string avro_error() {
  const char* text = avro_strerror();
  return text && *text ? text : "no detail from avro-c";
}

// An Avro scalar as JSON; null for the types no canary column has (bytes, fixed).
Json scalar_to_json(avro_value_t& value) {
  int32_t i32 = 0;
  int64_t i64 = 0;
  double d = 0;
  float f = 0;
  const char* text = nullptr;
  size_t size = 0;  // a string's counts the terminating NUL
  switch (avro_value_get_type(&value)) {
    case AVRO_BOOLEAN:
      avro_value_get_boolean(&value, &i32);
      return i32 != 0;
    case AVRO_INT32:
      avro_value_get_int(&value, &i32);
      return i32;
    case AVRO_INT64:
      avro_value_get_long(&value, &i64);
      return i64;
    case AVRO_FLOAT:
      avro_value_get_float(&value, &f);
      return f;
    case AVRO_DOUBLE:
      avro_value_get_double(&value, &d);
      return d;
    case AVRO_STRING:
      avro_value_get_string(&value, &text, &size);
      return std::string(text ? text : "", size > 0 ? size - 1 : 0);
    case AVRO_ENUM: {
      avro_value_get_enum(&value, &i32);
      const char* name = avro_schema_enum_get(avro_value_get_schema(&value), i32);
      return name ? Json(name) : Json(nullptr);
    }
    default:
      return nullptr;
  }
}

// An Avro datum as JSON, as Debezium's JsonConverter writes the payload: unions unwrapped to
// their branch, records and maps as objects.
Json to_json(avro_value_t& value) {
  avro_type_t type = avro_value_get_type(&value);
  if (type == AVRO_UNION) {
    avro_value_t branch;
    if (avro_value_get_current_branch(&value, &branch) != 0) return nullptr;
    return to_json(branch);
  }
  if (type != AVRO_RECORD && type != AVRO_MAP && type != AVRO_ARRAY) return scalar_to_json(value);
  Json out = type == AVRO_ARRAY ? Json::array() : Json::object();
  size_t size = 0;
  avro_value_get_size(&value, &size);
  for (size_t i = 0; i < size; ++i) {
    avro_value_t child;
    const char* name = nullptr;
    if (avro_value_get_by_index(&value, i, &child, &name) != 0) continue;
    if (type == AVRO_ARRAY) {
      out.push_back(to_json(child));
    } else if (name) {
      out[name] = to_json(child);
    }
  }
  return out;
}

// The Connect schema name an Avro schema carries: Confluent's `connect.name`, else the logical
// type Connect maps to (timestamp-millis is Connect's Timestamp).
std::string connect_name(const Json& avro) {
  if (avro.contains("connect.name") && avro["connect.name"].is_string())
    return avro["connect.name"].get<std::string>();
  std::string logical = string_member(avro, "logicalType");
  if (logical == "timestamp-millis") return "org.apache.kafka.connect.data.Timestamp";
  if (logical == "timestamp-micros") return "io.debezium.time.MicroTimestamp";
  return "";
}

// An Avro schema as the Connect-style schema the JSON rules read: {"name", "fields": [{"field",
// ...}]}, with unions reduced to their non-null branch and named types resolved.
Json connect_schema(const Json& avro, std::map<std::string, Json>& named) {
  if (avro.is_string()) {
    auto it = named.find(avro.get<std::string>());
    return it != named.end() ? it->second : Json{{"type", avro}};
  }
  if (avro.is_array()) {
    for (const auto& branch : avro) {
      if (branch != "null") return connect_schema(branch, named);
    }
    return Json::object();
  }
  if (!avro.is_object()) return Json::object();
  if (avro.contains("type") && !avro["type"].is_string())
    return connect_schema(avro["type"], named);
  Json out = {{"type", string_member(avro, "type")}};
  if (std::string name = connect_name(avro); !name.empty()) out["name"] = name;
  if (out["type"] == "record" && avro.contains("fields") && avro["fields"].is_array()) {
    out["fields"] = Json::array();
    for (const auto& field : avro["fields"]) {
      if (!field.is_object() || !field.contains("type")) continue;
      Json converted = connect_schema(field["type"], named);
      converted["field"] = string_member(field, "name");
      out["fields"].push_back(std::move(converted));
    }
    std::string name = string_member(avro, "name");
    std::string space = string_member(avro, "namespace");
    named[name] = out;
    if (!space.empty()) named[space + "." + name] = out;
  }
  return out;
}

struct AvroDatum {
  avro_schema_t schema = nullptr;
  avro_value_iface_t* iface = nullptr;
  avro_value_t value{};
  bool has_value = false;
  ~AvroDatum() {
    if (has_value) avro_value_decref(&value);
    if (iface) avro_value_iface_decref(iface);
    if (schema) avro_schema_decref(schema);
  }
};

}  // namespace

std::optional<uint32_t> confluent_schema_id(std::string_view value) {
  if (value.size() < 5 || value[0] != '\0') return std::nullopt;
  uint32_t id = 0;
  for (int i = 1; i <= 4; ++i) id = (id << 8) | static_cast<unsigned char>(value[i]);
  return id;
}

ParsedCanaryEvent parse_avro_canary_event(std::string_view value,
                                          const std::string& writer_schema) {
  auto id = confluent_schema_id(value);
  if (!id) return error("value is not in Confluent's Avro framing (magic byte 0, schema id)");
  return parse_avro_datum(value.substr(5), writer_schema,
                          "Avro event with schema id " + std::to_string(*id));
}

ParsedCanaryEvent parse_avro_datum(std::string_view datum, const std::string& writer_schema,
                                   const std::string& where) {
  static std::once_flag bounded;
  std::call_once(bounded, [] { avro_set_allocator(bounded_allocation, nullptr); });
  DatumAllocations allocations;  // outlives `decoded`, so it frees only what avro-c lost
  AvroDatum decoded;
  if (avro_schema_from_json_length(writer_schema.data(), writer_schema.size(), &decoded.schema)) {
    return error(where + ": the writer schema is not valid Avro: " + avro_error());
  }
  decoded.iface = avro_generic_class_from_schema(decoded.schema);
  if (!decoded.iface || avro_generic_value_new(decoded.iface, &decoded.value) != 0) {
    return error(where + ": avro-c cannot read the writer schema: " + avro_error());
  }
  decoded.has_value = true;
  std::unique_ptr<std::remove_pointer_t<avro_reader_t>, void (*)(avro_reader_t)> reader(
      avro_reader_memory(datum.data(), static_cast<int64_t>(datum.size())), avro_reader_free);
  if (!reader || avro_value_read(reader.get(), &decoded.value) != 0) {
    return error(where + ": the datum does not decode with its writer schema: " + avro_error());
  }
  std::map<std::string, Json> named;
  Json schema = connect_schema(Json::parse(writer_schema, nullptr, false), named);
  return parse_canary_document({{"schema", schema}, {"payload", to_json(decoded.value)}});
}

}  // namespace cdcwatch
