#include "tests/support/avro_json.h"

#include <avro.h>

#include <stdexcept>
#include <vector>

namespace cdcwatch::testing {
namespace {

using Json = nlohmann::json;

void set_avro(avro_value_t& target, const Json& value) {
  avro_value_t child;
  switch (avro_value_get_type(&target)) {
    case AVRO_UNION: {
      size_t branches = avro_schema_union_size(avro_value_get_schema(&target));
      avro_value_set_branch(&target, value.is_null() ? 0 : static_cast<int>(branches - 1), &child);
      return set_avro(child, value);
    }
    case AVRO_RECORD: {
      size_t fields = 0;
      avro_value_get_size(&target, &fields);
      for (size_t i = 0; i < fields; ++i) {
        const char* name = nullptr;
        avro_value_get_by_index(&target, i, &child, &name);
        set_avro(child, value.is_object() && value.contains(name) ? value[name] : Json());
      }
      return;
    }
    case AVRO_STRING:
      avro_value_set_string(&target, value.get<std::string>().c_str());
      return;
    case AVRO_BOOLEAN:
      avro_value_set_boolean(&target, value.get<bool>());
      return;
    case AVRO_INT32:
      avro_value_set_int(&target, value.get<int32_t>());
      return;
    case AVRO_DOUBLE:
      avro_value_set_double(&target, value.get<double>());
      return;
    case AVRO_NULL:
      avro_value_set_null(&target);
      return;
    default:
      avro_value_set_long(&target, value.get<int64_t>());
  }
}

Json read_avro(avro_value_t& value) {
  avro_value_t child;
  const char* text = nullptr;
  size_t size = 0;
  int32_t small = 0;
  int64_t large = 0;
  double real = 0;
  avro_type_t type = avro_value_get_type(&value);
  if (type == AVRO_UNION) {
    return avro_value_get_current_branch(&value, &child) == 0 ? read_avro(child) : Json();
  }
  if (type == AVRO_RECORD) {
    Json object = Json::object();
    avro_value_get_size(&value, &size);
    for (size_t i = 0; i < size; ++i) {
      avro_value_get_by_index(&value, i, &child, &text);
      object[text] = read_avro(child);
    }
    return object;
  }
  if (type == AVRO_STRING && avro_value_get_string(&value, &text, &size) == 0) {
    return std::string(text, size > 0 ? size - 1 : 0);  // the size counts the NUL
  }
  if (type == AVRO_BOOLEAN && avro_value_get_boolean(&value, &small) == 0) return small != 0;
  if (type == AVRO_INT32 && avro_value_get_int(&value, &small) == 0) return small;
  if (type == AVRO_INT64 && avro_value_get_long(&value, &large) == 0) return large;
  if (type == AVRO_DOUBLE && avro_value_get_double(&value, &real) == 0) return real;
  return nullptr;
}

// avro-c's generic value of a schema, released together.
struct Generic {
  explicit Generic(const std::string& schema_json) {
    if (avro_schema_from_json_length(schema_json.data(), schema_json.size(), &schema) != 0)
      throw std::runtime_error(std::string("avro schema: ") + avro_strerror());
    iface = avro_generic_class_from_schema(schema);
    avro_generic_value_new(iface, &value);
  }
  ~Generic() {
    avro_value_decref(&value);
    avro_value_iface_decref(iface);
    avro_schema_decref(schema);
  }
  Generic(const Generic&) = delete;
  Generic& operator=(const Generic&) = delete;
  avro_schema_t schema = nullptr;
  avro_value_iface_t* iface = nullptr;
  avro_value_t value{};
};

}  // namespace

std::string encode_avro(const std::string& schema_json, const Json& value) {
  Generic datum(schema_json);
  set_avro(datum.value, value);
  for (size_t capacity = 4096;; capacity *= 2) {
    std::vector<char> buffer(capacity);
    avro_writer_t writer = avro_writer_memory(buffer.data(), static_cast<int64_t>(capacity));
    bool written = avro_value_write(writer, &datum.value) == 0;
    auto size = static_cast<size_t>(avro_writer_tell(writer));
    avro_writer_free(writer);
    if (written) return std::string(buffer.data(), size);
    if (capacity > (1 << 24))
      throw std::runtime_error(std::string("avro write: ") + avro_strerror());
  }
}

std::optional<Json> decode_avro(std::string_view datum, const std::string& schema_json) {
  Generic decoded(schema_json);
  avro_reader_t reader = avro_reader_memory(datum.data(), static_cast<int64_t>(datum.size()));
  bool read = avro_value_read(reader, &decoded.value) == 0;
  avro_reader_free(reader);
  if (!read) return std::nullopt;
  return read_avro(decoded.value);
}

}  // namespace cdcwatch::testing
