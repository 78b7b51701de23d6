#include "agent/silences/cron_schedule.h"

#include <array>
#include <cctype>
#include <chrono>
#include <sstream>
#include <vector>

namespace cdcwatch {
namespace {

struct FieldSpec {
  const char* name;
  int min;
  int max;
  const char* const* names;  // lowercase three-letter names from `min`, or nullptr
};

constexpr const char* kMonthNames[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                       "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr const char* kWeekdayNames[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

constexpr std::array<FieldSpec, 5> kFields = {{{"minute", 0, 59, nullptr},
                                               {"hour", 0, 23, nullptr},
                                               {"day-of-month", 1, 31, nullptr},
                                               {"month", 1, 12, kMonthNames},
                                               {"day-of-week", 0, 7, kWeekdayNames}}};

[[noreturn]] void reject(const FieldSpec& spec, std::string_view field, const std::string& why) {
  throw CronError("bad cron " + std::string(spec.name) + " field '" + std::string(field) +
                  "': " + why + " (allowed: " + std::to_string(spec.min) + "-" +
                  std::to_string(spec.max) + ", *, a-b, */n, lists with ',')");
}

int value_of(const FieldSpec& spec, std::string_view field, std::string_view text) {
  if (spec.names && text.size() == 3 && std::isalpha(static_cast<unsigned char>(text[0]))) {
    std::string lower;
    for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (int i = 0; i <= spec.max - spec.min && i < (spec.min == 0 ? 7 : 12); ++i) {
      if (lower == spec.names[i]) return spec.min + i;
    }
  }
  if (text.empty() || text.size() > 2)
    reject(spec, field, "'" + std::string(text) + "' is no number");
  int value = 0;
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) {
      reject(spec, field, "'" + std::string(text) + "' is no number");
    }
    value = value * 10 + (c - '0');
  }
  if (value < spec.min || value > spec.max) {
    reject(spec, field, std::to_string(value) + " is out of range");
  }
  return value;
}

// Sets the bits of one comma-separated field; `starred` says whether it starts with '*'.
std::vector<bool> parse_field(const FieldSpec& spec, std::string_view field, bool& starred) {
  std::vector<bool> bits(static_cast<size_t>(spec.max) + 1, false);
  starred = !field.empty() && field[0] == '*';
  std::string_view rest = field;
  while (true) {
    size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    int step = 1;
    if (size_t slash = item.find('/'); slash != std::string_view::npos) {
      std::string_view step_text = item.substr(slash + 1);
      item = item.substr(0, slash);
      bool digits_only =
          !step_text.empty() && step_text.size() <= 2 &&
          std::isdigit(static_cast<unsigned char>(step_text[0])) &&
          (step_text.size() == 1 || std::isdigit(static_cast<unsigned char>(step_text[1])));
      if (!digits_only || std::stoi(std::string(step_text)) == 0) {
        reject(spec, field, "the step after '/' must be a number from 1");
      }
      step = std::stoi(std::string(step_text));
    }
    int low = spec.min, high = spec.max;
    if (item != "*") {
      size_t dash = item.find('-');
      low = value_of(spec, field, item.substr(0, dash));
      high = dash == std::string_view::npos ? (step > 1 ? spec.max : low)
                                            : value_of(spec, field, item.substr(dash + 1));
      if (high < low) reject(spec, field, "the range ends before it starts");
    }
    for (int v = low; v <= high; v += step) bits[static_cast<size_t>(v)] = true;
    if (comma == std::string_view::npos) return bits;
    rest.remove_prefix(comma + 1);
  }
}

template <size_t N>
void copy_bits(const std::vector<bool>& from, std::bitset<N>& to) {
  for (size_t i = 0; i < from.size() && i < N; ++i) to[i] = from[i];
}

}  // namespace

CivilMinute civil_minute_of(int64_t local_seconds) {
  using namespace std::chrono;
  int64_t days_since = local_seconds / 86400 - (local_seconds % 86400 < 0 ? 1 : 0);
  int64_t second_of_day = local_seconds - days_since * 86400;
  sys_days day{days(days_since)};
  year_month_day date(day);
  return {static_cast<int>(static_cast<unsigned>(date.month())),
          static_cast<int>(static_cast<unsigned>(date.day())),
          static_cast<int>(weekday(day).c_encoding()), static_cast<int>(second_of_day / 3600),
          static_cast<int>(second_of_day % 3600 / 60)};
}

CronSchedule CronSchedule::parse(std::string_view text) {
  std::istringstream words{std::string(text)};
  std::vector<std::string> fields;
  for (std::string word; words >> word;) fields.push_back(word);
  if (fields.size() != 5) {
    throw CronError("a cron schedule has 5 fields (minute hour day-of-month month day-of-week), '" +
                    std::string(text) + "' has " + std::to_string(fields.size()));
  }
  CronSchedule schedule;
  schedule.text_ = std::string(text);
  bool ignored = false;
  copy_bits(parse_field(kFields[0], fields[0], ignored), schedule.minutes_);
  copy_bits(parse_field(kFields[1], fields[1], ignored), schedule.hours_);
  copy_bits(parse_field(kFields[2], fields[2], schedule.day_star_), schedule.days_);
  copy_bits(parse_field(kFields[3], fields[3], ignored), schedule.months_);
  copy_bits(parse_field(kFields[4], fields[4], schedule.weekday_star_), schedule.weekdays_);
  if (schedule.weekdays_[7]) schedule.weekdays_[0] = true;  // 7 is Sunday too
  return schedule;
}

bool CronSchedule::matches(const CivilMinute& at) const {
  if (!minutes_[static_cast<size_t>(at.minute)] || !hours_[static_cast<size_t>(at.hour)] ||
      !months_[static_cast<size_t>(at.month)])
    return false;
  bool day = days_[static_cast<size_t>(at.day)];
  bool weekday = weekdays_[static_cast<size_t>(at.weekday)];
  return (day_star_ || weekday_star_) ? (day && weekday) : (day || weekday);
}

}  // namespace cdcwatch
