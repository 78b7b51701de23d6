#include "probes/kafka_lag/watermark_history.h"

#include <gtest/gtest.h>

namespace cdcwatch {
namespace {

TEST(WatermarkHistory, InterpolatesBetweenTheObservationsAroundTheOffset) {
  WatermarkHistory history;
  history.observe(100, 1000);
  history.observe(200, 1010);
  history.observe(400, 1030);
  EXPECT_DOUBLE_EQ(*history.produced_at(150), 1005);
  EXPECT_DOUBLE_EQ(*history.produced_at(300), 1020);
  EXPECT_DOUBLE_EQ(*history.produced_at(200), 1010);
}

TEST(WatermarkHistory, ExtrapolatesOlderOffsetsAlongTheOverallRate) {
  WatermarkHistory history;
  history.observe(100, 1000);
  history.observe(200, 1010);
  EXPECT_DOUBLE_EQ(*history.produced_at(50), 995);
}

TEST(WatermarkHistory, AFlatStretchKeepsTheEarliestTime) {
  WatermarkHistory history;
  history.observe(100, 1000);
  history.observe(200, 1010);
  history.observe(200, 1500);
  history.observe(200, 2000);
  history.observe(300, 2010);
  EXPECT_DOUBLE_EQ(*history.produced_at(150), 1005)
      << "records below 200 existed at 1010, however long the topic stayed quiet after";
}

TEST(WatermarkHistory, NoEstimateWithoutTwoDistinctOffsetsOrAtTheHead) {
  WatermarkHistory history;
  EXPECT_FALSE(history.produced_at(0));
  history.observe(100, 1000);
  history.observe(100, 1010);
  EXPECT_FALSE(history.produced_at(50));
  history.observe(120, 1020);
  EXPECT_FALSE(history.produced_at(120));
}

TEST(WatermarkHistory, AWatermarkThatGoesBackStartsOver) {
  WatermarkHistory history;
  history.observe(100, 1000);
  history.observe(200, 1010);
  history.observe(10, 1020);
  EXPECT_EQ(history.size(), 1u);
  EXPECT_FALSE(history.produced_at(5));
}

TEST(WatermarkHistory, KeepsOnlyTheNewestObservations) {
  WatermarkHistory history(3);
  for (int i = 1; i <= 10; ++i) history.observe(i * 10, i);
  EXPECT_EQ(history.size(), 3u);
  EXPECT_DOUBLE_EQ(*history.produced_at(85), 8.5);
}

}  // namespace
}  // namespace cdcwatch
