#include "agent/silences/cron_schedule.h"

#include <gtest/gtest.h>

namespace cdcwatch {
namespace {

CivilMinute at(int month, int day, int weekday, int hour, int minute) {
  return {month, day, weekday, hour, minute};
}

TEST(CronSchedule, ListsRangesStepsAndNames) {
  CronSchedule schedule = CronSchedule::parse("*/15 1-3,22 * jan-mar mon-fri");
  EXPECT_TRUE(schedule.matches(at(2, 4, 3, 22, 45)));
  EXPECT_TRUE(schedule.matches(at(1, 5, 1, 2, 0)));
  EXPECT_FALSE(schedule.matches(at(1, 5, 1, 2, 10)));
  EXPECT_FALSE(schedule.matches(at(4, 6, 1, 2, 0)));
  EXPECT_FALSE(schedule.matches(at(1, 4, 0, 2, 0))) << "Sunday";
  EXPECT_TRUE(CronSchedule::parse("0 3 * * 7").matches(at(6, 7, 0, 3, 0))) << "7 is Sunday";
  EXPECT_TRUE(CronSchedule::parse("10-50/20 * * * *").matches(at(6, 7, 0, 3, 30)));
  EXPECT_FALSE(CronSchedule::parse("10-50/20 * * * *").matches(at(6, 7, 0, 3, 40)));
}

// crontab(5): both day fields restricted -> either; one starred -> both.
TEST(CronSchedule, VixieDayOfMonthOrDayOfWeek) {
  CronSchedule either = CronSchedule::parse("0 0 13 * fri");
  EXPECT_TRUE(either.matches(at(3, 13, 2, 0, 0))) << "the 13th, a Tuesday";
  EXPECT_TRUE(either.matches(at(3, 16, 5, 0, 0))) << "a Friday, the 16th";
  EXPECT_FALSE(either.matches(at(3, 17, 6, 0, 0)));
  CronSchedule both = CronSchedule::parse("0 0 */2 * fri");
  EXPECT_TRUE(both.matches(at(3, 13, 5, 0, 0)));
  EXPECT_FALSE(both.matches(at(3, 16, 5, 0, 0))) << "an even day: day-of-month starts with *";
  EXPECT_FALSE(both.matches(at(3, 15, 0, 0, 0)));
}

TEST(CronSchedule, ErrorsNameTheField) {
  struct Case {
    const char* text;
    const char* expected;
  };
  for (const Case& c :
       {Case{"0 2 * *", "has 4"},
        Case{"60 2 * * *", "bad cron minute field '60': 60 is out of range"},
        Case{"0 24 * * *", "hour field '24'"}, Case{"0 2 0 * *", "day-of-month field '0'"},
        Case{"0 2 * 13 *", "month field '13'"}, Case{"0 2 * * 8", "day-of-week field '8'"},
        Case{"0 2 * * funday", "'funday' is no number"}, Case{"*/0 2 * * *", "the step after '/'"},
        Case{"0 5-2 * * *", "the range ends before it starts"}}) {
    try {
      CronSchedule::parse(c.text);
      ADD_FAILURE() << c.text << " was accepted";
    } catch (const CronError& e) {
      EXPECT_NE(std::string(e.what()).find(c.expected), std::string::npos)
          << c.text << ": " << e.what();
    }
  }
}

}  // namespace
}  // namespace cdcwatch
