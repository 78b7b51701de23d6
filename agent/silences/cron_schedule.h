// A 5-field cron schedule (minute hour day-of-month month day-of-week) as Vixie cron reads it:
// `*`, numbers, ranges `a-b`, steps `*/15` and `1-30/5`, lists `1,15`, month and weekday names
// (jan, mon), and 0 or 7 for Sunday. When both day fields are restricted (neither starts with
// `*`), a day matches if EITHER matches; otherwise both must (crontab(5): "if both fields are
// restricted ... the command will be run when either field matches the current time").
// https://man7.org/linux/man-pages/man5/crontab.5.html
// Immutable after parsing, so thread-safe.
#pragma once

#include <bitset>
#include <stdexcept>
#include <string>
#include <string_view>

namespace cdcwatch {

class CronError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// One local wall-clock minute.
struct CivilMinute {
  int month = 1;    // 1-12
  int day = 1;      // 1-31
  int weekday = 0;  // 0 Sunday - 6 Saturday
  int hour = 0;
  int minute = 0;
};

CivilMinute civil_minute_of(int64_t local_seconds);

class CronSchedule {
 public:
  // Throws CronError naming the field and what is wrong with it.
  static CronSchedule parse(std::string_view text);

  bool matches(const CivilMinute& at) const;
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;
  std::bitset<13> months_;
  std::bitset<8> weekdays_;
  bool day_star_ = false;
  bool weekday_star_ = false;
};

}  // namespace cdcwatch
