#include "agent/silences/rfc3339.h"

#include <cctype>

namespace cdcwatch {
namespace {

// Reads exactly `width` digits at `at`, advancing it; nullopt otherwise.
std::optional<int> digits(std::string_view text, size_t& at, size_t width) {
  if (at + width > text.size()) return std::nullopt;
  int value = 0;
  for (size_t i = 0; i < width; ++i) {
    char c = text[at + i];
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    value = value * 10 + (c - '0');
  }
  at += width;
  return value;
}

bool expect(std::string_view text, size_t& at, std::string_view one_of) {
  if (at >= text.size() || one_of.find(text[at]) == std::string_view::npos) return false;
  ++at;
  return true;
}

}  // namespace

std::optional<TimePoint> parse_rfc3339(std::string_view text) {
  size_t at = 0;
  auto year = digits(text, at, 4);
  if (!year || !expect(text, at, "-")) return std::nullopt;
  auto month = digits(text, at, 2);
  if (!month || !expect(text, at, "-")) return std::nullopt;
  auto day = digits(text, at, 2);
  if (!day || !expect(text, at, "Tt ")) return std::nullopt;
  auto hour = digits(text, at, 2);
  if (!hour || !expect(text, at, ":")) return std::nullopt;
  auto minute = digits(text, at, 2);
  if (!minute || !expect(text, at, ":")) return std::nullopt;
  auto second = digits(text, at, 2);
  if (!second) return std::nullopt;
  std::chrono::milliseconds fraction{0};
  if (at < text.size() && text[at] == '.') {
    ++at;
    int scale = 100, millis = 0;
    size_t begin = at;
    for (; at < text.size() && std::isdigit(static_cast<unsigned char>(text[at]));
         ++at, scale /= 10)
      millis += (text[at] - '0') * scale;
    if (at == begin) return std::nullopt;
    fraction = std::chrono::milliseconds(millis);
  }
  std::chrono::minutes offset{0};
  if (expect(text, at, "Zz")) {
  } else if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
    int sign = text[at++] == '-' ? -1 : 1;
    auto offset_hours = digits(text, at, 2);
    if (!offset_hours || !expect(text, at, ":")) return std::nullopt;
    auto offset_minutes = digits(text, at, 2);
    if (!offset_minutes || *offset_hours > 23 || *offset_minutes > 59) return std::nullopt;
    offset = std::chrono::minutes(sign * (*offset_hours * 60 + *offset_minutes));
  } else {
    return std::nullopt;
  }
  if (at != text.size()) return std::nullopt;
  using namespace std::chrono;
  year_month_day date{std::chrono::year(*year), std::chrono::month(static_cast<unsigned>(*month)),
                      std::chrono::day(static_cast<unsigned>(*day))};
  if (!date.ok() || *hour > 23 || *minute > 59 || *second > 60) return std::nullopt;
  auto local = sys_days(date) + hours(*hour) + minutes(*minute) + seconds(*second) + fraction;
  return TimePoint(duration_cast<TimePoint::duration>((local - offset).time_since_epoch()));
}

}  // namespace cdcwatch
