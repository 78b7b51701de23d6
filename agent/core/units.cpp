#include "agent/core/units.h"

#include <cmath>
#include <cstdio>
#include <utility>

namespace cdcwatch {
namespace {

// Splits "12.5GiB" into 12.5 and "GiB"; nullopt when the number part is malformed.
std::optional<std::pair<double, std::string_view>> split_number(std::string_view text) {
  size_t i = 0;
  bool seen_digit = false, seen_dot = false;
  while (i < text.size()) {
    char c = text[i];
    if (c >= '0' && c <= '9') {
      seen_digit = true;
    } else if (c == '.' && !seen_dot) {
      seen_dot = true;
    } else {
      break;
    }
    ++i;
  }
  if (!seen_digit || text.substr(0, i).back() == '.') return std::nullopt;
  double number = std::stod(std::string(text.substr(0, i)));
  return std::make_pair(number, text.substr(i));
}

}  // namespace

std::optional<Millis> parse_duration(std::string_view text) {
  auto parts = split_number(text);
  if (!parts) return std::nullopt;
  auto [number, unit] = *parts;
  double ms_per_unit;
  if (unit == "ms") {
    ms_per_unit = 1;
  } else if (unit == "s") {
    ms_per_unit = 1000;
  } else if (unit == "m") {
    ms_per_unit = 60'000;
  } else if (unit == "h") {
    ms_per_unit = 3'600'000;
  } else if (unit == "d") {
    ms_per_unit = 86'400'000;
  } else {
    return std::nullopt;
  }
  double total = number * ms_per_unit;
  if (total > 1e15 || total != std::floor(total)) return std::nullopt;
  return Millis(static_cast<int64_t>(total));
}

std::optional<uint64_t> parse_size(std::string_view text) {
  auto parts = split_number(text);
  if (!parts) return std::nullopt;
  auto [number, unit] = *parts;
  static constexpr std::pair<std::string_view, double> kUnits[] = {
      {"", 1},
      {"B", 1},
      {"KB", 1e3},
      {"MB", 1e6},
      {"GB", 1e9},
      {"TB", 1e12},
      {"KiB", 1024.0},
      {"MiB", 1048576.0},
      {"GiB", 1073741824.0},
      {"TiB", 1099511627776.0},
  };
  for (auto [name, factor] : kUnits) {
    if (unit != name) continue;
    double total = number * factor;
    if (total > 1.8e19 || total != std::floor(total)) return std::nullopt;
    return static_cast<uint64_t>(total);
  }
  return std::nullopt;
}

std::string format_duration(Millis value) {
  int64_t ms = value.count();
  if (ms == 0) return "0s";
  static constexpr std::pair<int64_t, const char*> kUnits[] = {
      {86'400'000, "d"}, {3'600'000, "h"}, {60'000, "m"}, {1000, "s"}};
  for (auto [size, suffix] : kUnits) {
    if (ms % size == 0) return std::to_string(ms / size) + suffix;
  }
  return std::to_string(ms) + "ms";
}

std::string format_bytes(double bytes) {
  static constexpr const char* kNames[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  int unit = 0;
  while (std::fabs(bytes) >= 1024 && unit < 5) bytes /= 1024, ++unit;
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, unit == 0 ? "%.0f %s" : "%.2f %s", bytes, kNames[unit]);
  return buffer;
}

}  // namespace cdcwatch
