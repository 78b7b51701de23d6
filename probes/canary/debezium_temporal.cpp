#include "probes/canary/debezium_temporal.h"

#include <cctype>
#include <cmath>
#include <ctime>

namespace cdcwatch {
namespace {

using Json = nlohmann::json;

// Without schemas, an integer's unit is read from its size. A canary is written now, so its
// instant lies between 1973 and 5138 in every unit, and the units then never overlap: epoch
// milliseconds stay below 1e14 (the year 5138), microseconds lie in [1e14, 1e17) (1973 to
// 5138) and nanoseconds from 1e17 (1973) up. Today's values (~1.8e12 ms, ~1.8e15 µs, ~1.8e18 ns)
// sit a factor of 50 or more from either boundary. With schemas the name decides instead.
double unit_from_magnitude(double n) {
  double size = std::fabs(n);
  if (size >= 1e17) return 1e9;
  if (size >= 1e14) return 1e6;
  return 1e3;
}

DecodedTime from_integer(const Json& value, double per_second) {
  if (!value.is_number_integer()) return {std::nullopt, "is not an integer"};
  auto n = static_cast<double>(value.get<int64_t>());
  return {n / (per_second > 0 ? per_second : unit_from_magnitude(n)), ""};
}

DecodedTime from_string(const Json& value) {
  if (!value.is_string()) return {std::nullopt, "is not a string"};
  const auto& text = value.get_ref<const std::string&>();
  if (auto seconds = parse_iso8601(text)) return {seconds, ""};
  return {std::nullopt, "'" + text.substr(0, 40) + "' is not an ISO-8601 instant"};
}

std::optional<int64_t> int_member(const Json& object, const char* key) {
  if (!object.contains(key) || !object[key].is_number_integer()) return std::nullopt;
  return object[key].get<int64_t>();
}

// io.debezium.time.StructuredTimestamp / StructuredZonedTimestamp: calendar and clock fields,
// `offsetSeconds` when zoned, `specialValue` for infinity.
DecodedTime from_struct(const Json& value) {
  if (!value.is_object()) return {std::nullopt, "is not a structured timestamp"};
  if (value.contains("specialValue") && value["specialValue"].is_string()) {
    return {std::nullopt, "is " + value["specialValue"].get<std::string>() + ", not an instant"};
  }
  auto year = int_member(value, "year"), month = int_member(value, "month");
  auto day = int_member(value, "day"), hour = int_member(value, "hour");
  auto minute = int_member(value, "minute"), second = int_member(value, "second");
  if (!year || !month || !day || !hour || !minute || !second || *month < 1 || *month > 12 ||
      *day < 1 || *day > 31 || *year < 1900 || *year > 9999) {
    return {std::nullopt, "is a structured timestamp without a valid year..second"};
  }
  std::tm tm{};
  tm.tm_year = static_cast<int>(*year - 1900);
  tm.tm_mon = static_cast<int>(*month - 1);
  tm.tm_mday = static_cast<int>(*day);
  tm.tm_hour = static_cast<int>(*hour);
  tm.tm_min = static_cast<int>(*minute);
  tm.tm_sec = static_cast<int>(*second);
  double nanos = static_cast<double>(int_member(value, "nanos").value_or(0));
  double offset = static_cast<double>(int_member(value, "offsetSeconds").value_or(0));
  return {static_cast<double>(timegm(&tm)) - offset + nanos / 1e9, ""};
}

}  // namespace

DecodedTime decode_debezium_timestamp(const Json& value, const std::string& schema_name) {
  if (schema_name == "io.debezium.time.ZonedTimestamp" ||
      schema_name == "io.debezium.time.IsoTimestamp") {
    return from_string(value);
  }
  if (schema_name == "io.debezium.time.Timestamp" ||
      schema_name == "org.apache.kafka.connect.data.Timestamp") {
    return from_integer(value, 1e3);
  }
  if (schema_name == "io.debezium.time.MicroTimestamp") return from_integer(value, 1e6);
  if (schema_name == "io.debezium.time.NanoTimestamp") return from_integer(value, 1e9);
  if (schema_name == "io.debezium.time.StructuredTimestamp" ||
      schema_name == "io.debezium.time.StructuredZonedTimestamp") {
    return from_struct(value);
  }
  if (!schema_name.empty()) {
    return {std::nullopt, "has schema " + schema_name + ", not a Debezium timestamp type"};
  }
  if (value.is_string()) return from_string(value);
  if (value.is_object()) return from_struct(value);
  return from_integer(value, 0);
}

std::optional<double> parse_iso8601(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.fraction](Z|+hh:mm|-hh:mm)
  auto digits = [&](size_t at, size_t count) -> std::optional<int> {
    if (at + count > text.size()) return std::nullopt;
    int value = 0;
    for (size_t i = at; i < at + count; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
      value = value * 10 + (text[i] - '0');
    }
    return value;
  };
  auto year = digits(0, 4), month = digits(5, 2), day = digits(8, 2);
  auto hour = digits(11, 2), minute = digits(14, 2), second = digits(17, 2);
  if (!year || !month || !day || !hour || !minute || !second || text.size() < 20 ||
      text[4] != '-' || text[7] != '-' || (text[10] != 'T' && text[10] != ' ') || text[13] != ':' ||
      text[16] != ':' || *month < 1 || *month > 12 || *day < 1 || *day > 31 || *hour > 23 ||
      *minute > 59 || *second > 60) {
    return std::nullopt;
  }
  size_t at = 19;
  double fraction = 0;
  if (text[at] == '.') {
    double scale = 0.1;
    ++at;
    size_t start = at;
    while (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at]))) {
      fraction += (text[at] - '0') * scale;
      scale /= 10;
      ++at;
    }
    if (at == start) return std::nullopt;
  }
  int offset_seconds = 0;
  if (at < text.size() && text[at] == 'Z' && at + 1 == text.size()) {
    offset_seconds = 0;
  } else if (at + 6 == text.size() && (text[at] == '+' || text[at] == '-') && text[at + 3] == ':') {
    auto oh = digits(at + 1, 2), om = digits(at + 4, 2);
    if (!oh || !om) return std::nullopt;
    offset_seconds = (*oh * 3600 + *om * 60) * (text[at] == '-' ? -1 : 1);
  } else {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = *year - 1900;
  tm.tm_mon = *month - 1;
  tm.tm_mday = *day;
  tm.tm_hour = *hour;
  tm.tm_min = *minute;
  tm.tm_sec = *second;
  return static_cast<double>(timegm(&tm) - offset_seconds) + fraction;
}

}  // namespace cdcwatch
