// A group's lag per partition from its commits and the watermarks; unknown stays unknown.
#include "probes/kafka_lag/group_lag.h"

#include <gtest/gtest.h>

namespace cdcwatch {
namespace {

TEST(GroupLag, CommittedPartitionsLagFromTheirOffsetAndTheOthersFromTheLowWatermark) {
  std::vector<TopicPartition> partitions = {{"t", 0}, {"t", 1}, {"other", 0}};
  PartitionTable<PartitionOffsets> watermarks = {
      {{"t", 0}, {std::nullopt, 10}}, {{"t", 1}, {4, 9}}, {{"other", 0}, {0, 5}}};
  GroupLag lag = group_lag(partitions, {"t"}, {{{"t", 0}, 7}}, watermarks);
  ASSERT_EQ(lag.partitions.size(), 2u) << "only the group's topics";
  EXPECT_EQ(lag.partitions[0].lag, 3);
  EXPECT_EQ(lag.partitions[0].committed, 7);
  EXPECT_EQ(lag.partitions[0].oldest_unconsumed, 7);
  EXPECT_EQ(lag.partitions[1].lag, 5) << "no commit: from the low watermark";
  EXPECT_FALSE(lag.partitions[1].committed);
  EXPECT_EQ(lag.partitions[1].oldest_unconsumed, 4);
  EXPECT_TRUE(lag.unknown.empty());
}

TEST(GroupLag, AMissingWatermarkMakesThePartitionsLagUnknownNotZero) {
  std::vector<TopicPartition> partitions = {{"t", 0}, {"t", 1}, {"t", 2}};
  PartitionTable<PartitionOffsets> watermarks = {{{"t", 1}, {std::nullopt, 9}},
                                                 {{"t", 2}, {std::nullopt, 9}}};
  GroupLag lag = group_lag(partitions, {"t"}, {{{"t", 2}, 9}}, watermarks);
  ASSERT_EQ(lag.partitions.size(), 1u);
  EXPECT_EQ(lag.partitions[0].tp, TopicPartition("t", 2));
  EXPECT_EQ(lag.partitions[0].lag, 0);
  EXPECT_EQ(lag.unknown, (std::vector<TopicPartition>{{"t", 0}, {"t", 1}}))
      << "t/0: no high watermark; t/1: no commit and no low watermark (it was counted as 9 behind)";
}

}  // namespace
}  // namespace cdcwatch
