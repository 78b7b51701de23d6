// The status rules, observation by observation.
#include "probes/kafka_lag/consumer_status.h"

#include <gtest/gtest.h>

namespace cdcwatch {
namespace {

using namespace std::chrono_literals;

TEST(ConsumerStatus, StallNeedsAFullWindowWithTheOffsetFrozenAndLag) {
  PartitionWindow window(3, Millis(600000));
  TimePoint t{};
  window.observe(t, 10, 5);
  window.observe(t + 15s, 10, 6);
  EXPECT_EQ(window.status(), ConsumerStatus::kOk) << "window not full yet";
  window.observe(t + 30s, 10, 7);
  EXPECT_EQ(window.status(), ConsumerStatus::kStall);
  window.observe(t + 45s, 12, 5);
  EXPECT_EQ(window.status(), ConsumerStatus::kOk);
}

TEST(ConsumerStatus, NoLagIsOkEvenWhenIdle) {
  PartitionWindow window(3, Millis(60000));
  for (int i = 0; i < 10; ++i) window.observe(TimePoint{} + std::chrono::minutes(i), 10, 0);
  EXPECT_EQ(window.status(), ConsumerStatus::kOk);
}

TEST(ConsumerStatus, StopAfterTheOffsetHasNotMovedForStopAfter) {
  PartitionWindow window(10, Millis(300000));
  TimePoint t{};
  window.observe(t, 10, 5);
  window.observe(t + 4min, 10, 5);
  EXPECT_EQ(window.status(), ConsumerStatus::kOk);
  window.observe(t + 6min, 10, 9);
  EXPECT_EQ(window.status(), ConsumerStatus::kStop);
}

TEST(ConsumerStatus, RewindWhenTheOffsetGoesBack) {
  PartitionWindow window(3, Millis(300000));
  TimePoint t{};
  window.observe(t, 100, 0);
  window.observe(t + 15s, 40, 60);
  EXPECT_EQ(window.status(), ConsumerStatus::kRewind);
  window.observe(t + 30s, 60, 40);
  window.observe(t + 45s, 80, 20);
  window.observe(t + 60s, 100, 0);
  EXPECT_EQ(window.status(), ConsumerStatus::kOk) << "the rewind left the window";
}

TEST(ConsumerStatus, WarningWhenLagGrowsAcrossTheWholeWindowDespiteProgress) {
  PartitionWindow window(3, Millis(300000));
  TimePoint t{};
  window.observe(t, 10, 5);
  window.observe(t + 15s, 12, 8);
  window.observe(t + 30s, 14, 11);
  EXPECT_EQ(window.status(), ConsumerStatus::kWarning);
}

TEST(ConsumerStatus, WorstOrdersBySeverity) {
  EXPECT_EQ(worst(ConsumerStatus::kOk, ConsumerStatus::kStall), ConsumerStatus::kStall);
  EXPECT_EQ(worst(ConsumerStatus::kStop, ConsumerStatus::kStall), ConsumerStatus::kStop);
  EXPECT_EQ(worst(ConsumerStatus::kError, ConsumerStatus::kStop), ConsumerStatus::kError);
}

}  // namespace
}  // namespace cdcwatch
