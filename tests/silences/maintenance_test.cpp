// Maintenance windows: fixed and cron-scheduled in a non-UTC zone, across DST changes, and the
// config errors that name file:line and the fix.
#include "agent/silences/maintenance.h"

#include <gtest/gtest.h>

#include "agent/silences/rfc3339.h"

namespace cdcwatch {
namespace {

std::vector<MaintenanceWindow> parse(const std::string& yaml) {
  ConfigNode root = ConfigNode::load_string(yaml, "cdcwatch.yml");
  return parse_maintenance(root.child("maintenance").items());
}

MaintenanceWindow window(const std::string& schedule, const std::string& duration,
                         const std::string& zone) {
  return parse("maintenance:\n  - name: w\n    match: pipeline=orders\n    schedule: \"" +
               schedule + "\"\n    duration: " + duration + "\n    timezone: " + zone + "\n")
      .at(0);
}

bool open_at(const MaintenanceWindow& w, const char* utc) {
  return w.open_at(parse_rfc3339(utc).value());
}

TEST(Maintenance, FixedWindowIsOpenFromStartUntilEnd) {
  auto w = parse(R"(maintenance:
  - name: warehouse-upgrade
    match: pipeline=orders,hop=warehouse
    start: 2026-12-01T02:00:00+01:00
    end: 2026-12-01T04:00:00+01:00
)")
               .at(0);
  EXPECT_FALSE(open_at(w, "2026-12-01T00:59:59Z"));
  EXPECT_TRUE(open_at(w, "2026-12-01T01:00:00Z"));
  EXPECT_TRUE(open_at(w, "2026-12-01T02:59:59Z"));
  EXPECT_FALSE(open_at(w, "2026-12-01T03:00:00Z"));
  EXPECT_EQ(w.matcher.text(), "pipeline=orders,hop=warehouse");
}

// Weeknights 22:00 Berlin time for 4h: 20:00 UTC in summer (CEST), 21:00 UTC in winter (CET).
TEST(Maintenance, CronWindowInBerlinFollowsSummerAndWinterTime) {
  auto w = window("0 22 * * mon-fri", "4h", "Europe/Berlin");
  EXPECT_FALSE(open_at(w, "2026-07-15T19:59:00Z"));  // Wednesday
  EXPECT_TRUE(open_at(w, "2026-07-15T20:00:00Z"));
  EXPECT_TRUE(open_at(w, "2026-07-15T23:59:59Z"));
  EXPECT_FALSE(open_at(w, "2026-07-16T00:00:00Z"));
  EXPECT_FALSE(open_at(w, "2026-01-14T20:30:00Z"));  // Wednesday, winter
  EXPECT_TRUE(open_at(w, "2026-01-14T21:00:00Z"));
  EXPECT_FALSE(open_at(w, "2026-07-18T20:30:00Z")) << "Saturday";
}

// New York, November 1 2026: 01:00-02:00 local happens twice (EDT, then EST), so a 01:30 start
// happens at 05:30 UTC and again at 06:30 UTC.
TEST(Maintenance, CronWindowInNewYorkAcrossTheFallBack) {
  auto w = window("30 1 * * *", "30m", "America/New_York");
  EXPECT_TRUE(open_at(w, "2026-11-01T05:45:00Z"));
  EXPECT_FALSE(open_at(w, "2026-11-01T06:15:00Z"));
  EXPECT_TRUE(open_at(w, "2026-11-01T06:45:00Z"));
  EXPECT_TRUE(open_at(w, "2026-07-01T05:45:00Z")) << "summer: 01:30 EDT";
  EXPECT_FALSE(open_at(w, "2026-01-01T05:45:00Z")) << "winter: 01:30 EST is 06:30 UTC";
  EXPECT_TRUE(open_at(w, "2026-01-01T06:45:00Z"));
}

// March 8 2026 skips 02:00-03:00 in New York; a window starting at 01:30 EST still lasts its 2h of
// real time (until 04:30 EDT).
TEST(Maintenance, CronWindowInNewYorkAcrossTheSpringForward) {
  auto w = window("30 1 * * sun", "2h", "America/New_York");
  EXPECT_FALSE(open_at(w, "2026-03-08T06:29:59Z"));
  EXPECT_TRUE(open_at(w, "2026-03-08T06:30:00Z"));
  EXPECT_TRUE(open_at(w, "2026-03-08T08:29:59Z"));
  EXPECT_FALSE(open_at(w, "2026-03-08T08:30:00Z"));
}

TEST(Maintenance, ConfigErrorsNameTheLineAndTheFix) {
  struct Case {
    const char* body;
    const char* expected;
  };
  const std::string head = "maintenance:\n  - name: w\n    match: pipeline=orders\n";
  for (const Case& c : {
           Case{"    schedule: \"0 2 * * *\"\n    duration: 1h\n    timezone: Mars/Olympus\n",
                "cdcwatch.yml:6:15 (maintenance[0].timezone): unknown time zone 'Mars/Olympus'"},
           Case{"    schedule: \"0 25 * * *\"\n    duration: 1h\n    timezone: UTC\n",
                "cdcwatch.yml:4:15 (maintenance[0].schedule): bad cron hour field '25'"},
           Case{"    start: 2026-12-01T04:00:00Z\n    end: 2026-12-01T02:00:00Z\n",
                "cdcwatch.yml:5:10 (maintenance[0].end): end is not after start"},
           Case{"    start: 2026-12-01T02:00:00Z\n    end: 2026-12-01T04:00:00Z\n"
                "    schedule: \"0 2 * * *\"\n",
                "(maintenance[0].schedule): give either start/end or schedule, not both"},
           Case{"    start: 2026-12-01 02:00\n    end: 2026-12-01T04:00:00Z\n",
                "(maintenance[0].start): not an RFC 3339 timestamp; write e.g."},
           Case{"    start: 2026-12-01T02:00:00Z\n", "a window with start needs an end too"},
           Case{"    schedule: \"0 2 * * *\"\n    timezone: UTC\n", "a schedule needs a duration"},
           Case{"    schedule: \"0 2 * * *\"\n    duration: 1h\n", "a schedule needs a timezone"},
           Case{"    schedule: \"0 2 * * *\"\n    duration: 8d\n    timezone: UTC\n", "at most 7d"},
           Case{"", "(maintenance[0]): a maintenance window needs start and end"},
           Case{"    scheduel: \"0 2 * * *\"\n", "scheduel"},
       }) {
    try {
      parse(head + c.body);
      ADD_FAILURE() << c.body << " was accepted";
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(c.expected), std::string::npos) << c.body << "\n"
                                                                           << e.what();
    }
  }
  try {
    parse("maintenance:\n  - name: w\n    match: pipeline\n    schedule: \"0 2 * * *\"\n");
    ADD_FAILURE();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("(maintenance[0].match): bad matcher part 'pipeline'"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace cdcwatch
