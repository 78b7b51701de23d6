#include "agent/silences/silence.h"

#include <random>
#include <stdexcept>

#include "agent/silences/rfc3339.h"

namespace cdcwatch {
namespace {

TimePoint time_field(const nlohmann::json& json, const char* key) {
  auto parsed = parse_rfc3339(json.at(key).get<std::string>());
  if (!parsed) throw std::runtime_error(std::string(key) + " is not an RFC 3339 timestamp");
  return *parsed;
}

}  // namespace

nlohmann::json to_json(const Silence& silence) {
  return {{"id", silence.id},
          {"match", silence.matcher.text()},
          {"starts_at", format_timestamp(silence.starts_at)},
          {"ends_at", format_timestamp(silence.ends_at)},
          {"comment", silence.comment},
          {"created_at", format_timestamp(silence.created_at)}};
}

Silence silence_from_json(const nlohmann::json& json) {
  if (!json.is_object()) throw std::runtime_error("a silence is not a JSON object");
  Silence silence;
  try {
    silence.id = json.at("id").get<std::string>();
    silence.comment = json.value("comment", "");
    silence.matcher = parse_matcher(json.at("match").get<std::string>());
  } catch (const nlohmann::json::exception&) {
    throw std::runtime_error("a silence without a string id, match or comment");
  } catch (const MatcherError& e) {
    throw std::runtime_error("silence " + silence.id + ": " + e.what());
  }
  if (silence.id.empty()) throw std::runtime_error("a silence with an empty id");
  try {
    silence.starts_at = time_field(json, "starts_at");
    silence.ends_at = time_field(json, "ends_at");
    silence.created_at = time_field(json, "created_at");
  } catch (const nlohmann::json::exception&) {
    throw std::runtime_error("silence " + silence.id + " lacks starts_at, ends_at or created_at");
  }
  return silence;
}

std::string new_silence_id() {
  std::random_device random;
  std::uniform_int_distribution<int> digit(0, 15);
  std::string id;
  for (int i = 0; i < 16; ++i) id += "0123456789abcdef"[digit(random)];
  return id;
}

}  // namespace cdcwatch
