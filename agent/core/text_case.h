// ASCII case folding for identifiers, header names and SQL type names (never for user text).
#pragma once

#include <algorithm>
#include <cctype>
#include <string>

namespace cdcwatch {

inline std::string ascii_lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

inline std::string ascii_upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

}  // namespace cdcwatch
