// Splitting identifiers and config lists: "db.schema.table" into its parts, "a, b,c" into items.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cdcwatch {

// Every part between separators, empty ones included: split("a..b", '.') is {"a", "", "b"}.
inline std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  for (size_t start = 0;;) {
    size_t end = text.find(separator, start);
    parts.emplace_back(text.substr(start, end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

// A comma-separated config value (Kafka Connect's lists): items trimmed of blanks, empty ones
// dropped.
inline std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> items;
  for (std::string& item : split(text, ',')) {
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) items.push_back(std::move(item));
  }
  return items;
}

}  // namespace cdcwatch
