#include "agent/core/units.h"

#include <gtest/gtest.h>

namespace cdcwatch {
namespace {

TEST(ParseDuration, AcceptsEveryUnit) {
  EXPECT_EQ(parse_duration("500ms"), Millis(500));
  EXPECT_EQ(parse_duration("15s"), Millis(15000));
  EXPECT_EQ(parse_duration("5m"), Millis(300000));
  EXPECT_EQ(parse_duration("1h"), Millis(3600000));
  EXPECT_EQ(parse_duration("1.5s"), Millis(1500));
}

TEST(ParseDuration, RejectsWhatItWouldHaveToGuess) {
  for (const char* bad : {"", "15", "15 s", "s", "-1s", "1.s", "15sec", "1e3s", "0.0001ms"}) {
    EXPECT_FALSE(parse_duration(bad).has_value()) << bad;
  }
}

TEST(ParseSize, DistinguishesDecimalAndBinaryUnits) {
  EXPECT_EQ(parse_size("5GB"), 5'000'000'000ULL);
  EXPECT_EQ(parse_size("10GiB"), 10ULL << 30);
  EXPECT_EQ(parse_size("512MiB"), 512ULL << 20);
  EXPECT_EQ(parse_size("1024"), 1024ULL);
  EXPECT_FALSE(parse_size("5G").has_value());
  EXPECT_FALSE(parse_size("GiB").has_value());
  EXPECT_FALSE(parse_size("1.5B").has_value());
}

TEST(FormatDuration, RoundTripsThroughParse) {
  for (int64_t ms : {0, 250, 1000, 15000, 90000, 3600000, 5400000}) {
    EXPECT_EQ(parse_duration(format_duration(Millis(ms))), Millis(ms)) << ms;
  }
}

}  // namespace
}  // namespace cdcwatch
