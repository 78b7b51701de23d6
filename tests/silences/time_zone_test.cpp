// Offsets checked against the published rules: US Eastern switches at 02:00 local on the second
// Sunday of March and the first of November; the EU at 01:00 UTC on the last Sundays of March and
// October (2026: March 8 / November 1, March 29 / October 25).
#include "agent/silences/time_zone.h"

#include <gtest/gtest.h>

#include "agent/silences/rfc3339.h"

namespace cdcwatch {
namespace {

int64_t unix_seconds(const char* rfc3339) {
  return std::chrono::duration_cast<std::chrono::seconds>(
             parse_rfc3339(rfc3339).value().time_since_epoch())
      .count();
}

TEST(TimeZone, NewYorkAcrossTheDstChangesOf2026) {
  auto zone = load_time_zone("America/New_York");
  EXPECT_EQ(zone->offset_at(unix_seconds("2026-03-08T06:59:59Z")), -5 * 3600);
  EXPECT_EQ(zone->offset_at(unix_seconds("2026-03-08T07:00:00Z")), -4 * 3600);
  EXPECT_EQ(zone->offset_at(unix_seconds("2026-11-01T05:59:59Z")), -4 * 3600);
  EXPECT_EQ(zone->offset_at(unix_seconds("2026-11-01T06:00:00Z")), -5 * 3600);
}

TEST(TimeZone, BerlinAcrossTheDstChangesOf2026) {
  auto zone = load_time_zone("Europe/Berlin");
  EXPECT_EQ(zone->offset_at(unix_seconds("2026-03-29T00:59:59Z")), 3600);
  EXPECT_EQ(zone->offset_at(unix_seconds("2026-03-29T01:00:00Z")), 7200);
  EXPECT_EQ(zone->offset_at(unix_seconds("2026-10-25T00:59:59Z")), 7200);
  EXPECT_EQ(zone->offset_at(unix_seconds("2026-10-25T01:00:00Z")), 3600);
}

// 2045 lies past the transitions a TZif file lists (tzdata writes them up to 2037): the footer's
// POSIX rule decides. EU 2045: March 26 and October 29.
TEST(TimeZone, AfterTheLastTransitionTheFooterRuleDecides) {
  auto zone = load_time_zone("Europe/Berlin");
  EXPECT_EQ(zone->offset_at(unix_seconds("2045-03-26T00:59:59Z")), 3600);
  EXPECT_EQ(zone->offset_at(unix_seconds("2045-03-26T01:00:00Z")), 7200);
  EXPECT_EQ(zone->offset_at(unix_seconds("2045-10-29T00:59:59Z")), 7200);
  EXPECT_EQ(zone->offset_at(unix_seconds("2045-10-29T01:00:00Z")), 3600);
  EXPECT_EQ(load_time_zone("UTC")->offset_at(unix_seconds("2045-07-01T00:00:00Z")), 0);
}

TEST(TimeZone, PosixRulesOfBothHemispheres) {
  PosixTimeZone sydney = parse_posix_tz("AEST-10AEDT,M10.1.0,M4.1.0/3");
  EXPECT_EQ(sydney.offset_at(unix_seconds("2045-01-15T00:00:00Z")), 11 * 3600);
  EXPECT_EQ(sydney.offset_at(unix_seconds("2045-07-15T00:00:00Z")), 10 * 3600);
  PosixTimeZone tokyo = parse_posix_tz("JST-9");
  EXPECT_EQ(tokyo.offset_at(0), 9 * 3600);
  PosixTimeZone quoted = parse_posix_tz("<-03>3");
  EXPECT_EQ(quoted.offset_at(0), -3 * 3600);
  EXPECT_THROW(parse_posix_tz("CET-1CEST,M3.5.0"), TimeZoneError);
  EXPECT_THROW(parse_posix_tz("X1"), TimeZoneError);
}

TEST(TimeZone, UnknownOrHostileNamesAreRefusedWithTheFix) {
  for (const char* name : {"Mars/Olympus", "../../etc/passwd", "/etc/localtime", ""}) {
    try {
      load_time_zone(name);
      ADD_FAILURE() << name << " was accepted";
    } catch (const TimeZoneError& e) {
      EXPECT_NE(std::string(e.what()).find("Europe/Berlin"), std::string::npos) << e.what();
    }
  }
}

TEST(TimeZone, ADamagedFileIsAnErrorNotACrash) {
  EXPECT_THROW(TimeZone("Broken", "TZif2"), TimeZoneError);
  EXPECT_THROW(TimeZone("Broken", "not a zone file at all, just some text here....."),
               TimeZoneError);
}

}  // namespace
}  // namespace cdcwatch
