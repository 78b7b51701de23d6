// Parsing a config text in tests: the Config, or the ConfigError message ("" when it parsed).
#pragma once

#include <string>

#include "agent/app/config.h"

namespace cdcwatch::testing {

inline Config parse(const std::string& text) {
  return parse_config(ConfigNode::load_string(text, "cdcwatch.yml"));
}

inline std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace cdcwatch::testing
