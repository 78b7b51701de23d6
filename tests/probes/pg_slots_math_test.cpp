// The slot probe's arithmetic: lag in seconds from the agent's WAL history, growth over the
// window, and the exhaustion forecast. Injected time; nothing sleeps.
#include <gtest/gtest.h>

#include "probes/pg_slots/wal_forecast.h"
#include "probes/pg_slots/wal_history.h"

namespace cdcwatch {
namespace {

using std::chrono::seconds;
const TimePoint t0 = TimePoint(seconds(1'700'000'000));

TEST(WalHistory, InterpolatesWhenTheServerWasAtAPosition) {
  WalHistory history;
  history.record(t0, 1000);
  history.record(t0 + seconds(10), 2000);
  history.record(t0 + seconds(20), 4000);
  TimePoint now = t0 + seconds(30);
  EXPECT_DOUBLE_EQ(*history.seconds_behind(1500, now), 25.0);  // halfway through 0..10 s
  EXPECT_DOUBLE_EQ(*history.seconds_behind(3000, now), 15.0);  // halfway through 10..20 s
  EXPECT_DOUBLE_EQ(*history.seconds_behind(2000, now), 20.0);
  EXPECT_DOUBLE_EQ(*history.seconds_behind(4000, now), 0.0) << "caught up";
  EXPECT_DOUBLE_EQ(*history.seconds_behind(500, now), 30.0) << "older than history: lower bound";
}

TEST(WalHistory, ForgetsPointsPastItsHorizonAndRestartsWhenTheServerGoesBackwards) {
  WalHistory history(Millis(60'000));
  EXPECT_FALSE(history.seconds_behind(1, t0).has_value());
  history.record(t0, 100);
  history.record(t0 + seconds(90), 200);
  EXPECT_EQ(history.size(), 1u);
  history.record(t0 + seconds(100), 50);  // a restored server
  EXPECT_EQ(history.size(), 1u);
  EXPECT_DOUBLE_EQ(*history.seconds_behind(50, t0 + seconds(100)), 0.0);
}

TEST(GrowthWindow, SlopeOverTheWindow) {
  GrowthWindow window(Millis(60'000));
  window.record(t0, 0);
  EXPECT_FALSE(window.rate_per_second().has_value());
  for (int s = 10; s <= 120; s += 10) window.record(t0 + seconds(s), 1000.0 * s);
  EXPECT_NEAR(*window.rate_per_second(), 1000.0, 1e-6);
  window.record(t0 + seconds(130), 130'000);  // growth stops
  window.record(t0 + seconds(190), 130'000);
  window.record(t0 + seconds(200), 130'000);
  EXPECT_NEAR(*window.rate_per_second(), 0.0, 1e-6);
}

struct ExhaustionCase {
  const char* name;
  ExhaustionInputs inputs;
  std::optional<double> expected;
};

TEST(SecondsUntilExhaustion, TakesTheSoonerOfSafeWalSizeAndBudget) {
  const ExhaustionCase cases[] = {
      {"not growing", {0, 1e9, 1e9, 0}, std::nullopt},
      {"shrinking", {-5, 1e9, 1e9, 0}, std::nullopt},
      {"no limit configured", {100, std::nullopt, std::nullopt, 0}, std::nullopt},
      {"safe_wal_size only", {100, 10'000, std::nullopt, 0}, 100.0},
      {"budget only", {100, std::nullopt, 50'000, 30'000}, 200.0},
      {"budget sooner", {100, 1e9, 50'000, 30'000}, 200.0},
      {"safe_wal_size sooner", {100, 5'000, 50'000, 30'000}, 50.0},
      {"budget already used", {100, std::nullopt, 50'000, 60'000}, 0.0},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(seconds_until_exhaustion(c.inputs), c.expected) << c.name;
  }
}

}  // namespace
}  // namespace cdcwatch
