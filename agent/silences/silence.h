// A silence: alert instances its matcher covers do not page between `starts_at` and `ends_at`.
// Made by `cdcwatch silence add`, kept in state_dir/silences.json (silence_file.h).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "agent/core/clock.h"
#include "agent/silences/matcher.h"

namespace cdcwatch {

struct Silence {
  std::string id;
  Matcher matcher;
  TimePoint starts_at;
  TimePoint ends_at;
  std::string comment;
  TimePoint created_at;

  bool active_at(TimePoint now) const { return starts_at <= now && now < ends_at; }
};

nlohmann::json to_json(const Silence& silence);
// Throws std::runtime_error naming the missing or malformed field.
Silence silence_from_json(const nlohmann::json& json);
// 16 random hex digits.
std::string new_silence_id();

}  // namespace cdcwatch
