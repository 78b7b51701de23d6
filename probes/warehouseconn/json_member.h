// Members of JSON objects that come from outside (a peer's answer, a saved state file), read
// without throwing: nlohmann's value() throws when the member exists with another type.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace cdcwatch {

// The member as a string, or `fallback` when `object` is not an object, lacks it, or it is not a
// string.
inline std::string string_member(const nlohmann::json& object, const char* key,
                                 std::string fallback = "") {
  if (!object.is_object()) return fallback;
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : fallback;
}

// The member as an integer, or `fallback` likewise.
inline int64_t integer_member(const nlohmann::json& object, const char* key, int64_t fallback) {
  if (!object.is_object()) return fallback;
  auto it = object.find(key);
  return it != object.end() && it->is_number_integer() ? it->get<int64_t>() : fallback;
}

}  // namespace cdcwatch
