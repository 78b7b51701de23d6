// Which partitions each group is asked its committed offsets on: pure, no Kafka.
#include "probes/kafka_lag/rolling_scan.h"

#include <gtest/gtest.h>

#include <set>

namespace cdcwatch {
namespace {

using TopicPartition = RollingScan::TopicPartition;

// `topics` topics t0, t1, ... of `per_topic` partitions each, in metadata order (topic by topic).
std::vector<TopicPartition> cluster(int topics, int per_topic) {
  std::vector<TopicPartition> out;
  for (int t = 0; t < topics; ++t) {
    for (int p = 0; p < per_topic; ++p) out.emplace_back("t" + std::to_string(t), p);
  }
  return out;
}

TEST(RollingScan, AGroupCountedOnNoTopicAsksEveryPartitionOfASmallClusterAtOnce) {
  RollingScan scan;
  auto partitions = cluster(3, 4);
  auto asked = scan.plan(partitions, {}, {"g"});
  std::set<TopicPartition> unique(asked["g"].begin(), asked["g"].end());
  EXPECT_EQ(unique.size(), 12u);
  EXPECT_EQ(asked["g"].size(), 12u) << "each partition once";
}

TEST(RollingScan, ACountedGroupAsksItsTopicsEveryCycleAndATenthOfTheRest) {
  RollingScan scan;
  auto partitions = cluster(3, 10);
  std::map<std::string, std::set<std::string>> counted = {{"g", {"t1"}}};
  std::set<TopicPartition> seen;
  for (int cycle = 0; cycle < 10; ++cycle) {
    auto asked = scan.plan(partitions, counted, {"g"});
    ASSERT_EQ(asked["g"].size(), 10u + 2u) << "t1's ten, and a tenth of the other twenty";
    for (int p = 0; p < 10; ++p) EXPECT_EQ(asked["g"][p], (TopicPartition{"t1", p}));
    seen.insert(asked["g"].begin() + 10, asked["g"].end());
  }
  EXPECT_EQ(seen.size(), 20u) << "every other partition within ten cycles";
  EXPECT_EQ(scan.scan_cycles(30, 1), 10u);
}

TEST(RollingScan, AFirstSliceTouchesEveryTopic) {
  RollingScan scan(1000);
  auto partitions = cluster(100, 100);  // 10,000 partitions; a slice of 1,000
  auto asked = scan.plan(partitions, {}, {"g"});
  ASSERT_EQ(asked["g"].size(), 1000u);
  std::set<std::string> topics;
  for (const auto& tp : asked["g"]) topics.insert(tp.first);
  EXPECT_EQ(topics.size(), 100u) << "partitions 0 to 9 of every topic";
}

// A group counted on nothing asks a slice that holds half of each topic; once its commits there
// make it counted on t1, the rest of t1 is asked in the same cycle, so that none of t1's partitions
// is taken for one without a commit.
TEST(RollingScan, ATopicFirstFoundInASliceHasItsOtherPartitionsAskedInTheSameCycle) {
  RollingScan scan(1000);
  auto partitions = cluster(2, 1000);
  auto asked = scan.plan(partitions, {}, {"g"});
  ASSERT_EQ(asked["g"].size(), 1000u);
  EXPECT_EQ(asked["g"].back(), (TopicPartition{"t1", 499})) << "partitions 0 to 499 of both";
  auto rest = scan.unasked_of_new_topics(partitions, {{"g", {"t1"}}});
  ASSERT_EQ(rest["g"].size(), 500u);
  EXPECT_EQ(rest["g"].front(), (TopicPartition{"t1", 500}));
  EXPECT_EQ(rest["g"].back(), (TopicPartition{"t1", 999}));
  EXPECT_TRUE(scan.unasked_of_new_topics(partitions, {})["g"].empty());

  asked = scan.plan(partitions, {{"g", {"t1"}}}, {"g"});
  EXPECT_TRUE(scan.unasked_of_new_topics(partitions, {{"g", {"t1"}}})["g"].empty())
      << "t1 was counted when planned: asked in full already";
}

// 20 groups, each counted on its own 1,000-partition topic of 20: a full scan asks 400,000
// (group, partition) pairs at once; a budget of 10,000 spreads it over scan_cycles() cycles.
TEST(RollingScan, NoCycleAsksMoreThanItsBudgetAndEveryPartitionIsAskedWithinScanCycles) {
  RollingScan scan(10'000);
  auto partitions = cluster(20, 1000);
  std::map<std::string, std::set<std::string>> counted;
  std::vector<std::string> groups;
  for (int g = 0; g < 20; ++g) {
    groups.push_back("g" + std::to_string(g));
    counted[groups.back()] = {"t" + std::to_string(g)};
  }
  size_t cycles = scan.scan_cycles(partitions.size(), groups.size());
  EXPECT_EQ(cycles, 20u) << "a share of 1,000 partitions per group and cycle";
  std::map<std::string, std::set<TopicPartition>> seen;
  for (size_t cycle = 0; cycle < cycles; ++cycle) {
    size_t beyond_counted = 0;
    for (const auto& [group, list] : scan.plan(partitions, counted, groups)) {
      for (const auto& tp : list) {
        if (!counted[group].count(tp.first)) {
          ++beyond_counted;
          seen[group].insert(tp);
        }
      }
    }
    EXPECT_LE(beyond_counted, 20u * 1000) << "one 1,000-partition list per group, not 19";
  }
  for (const auto& group : groups) {
    EXPECT_EQ(seen[group].size(), 19'000u) << group << ": every partition of the other topics";
  }
}

TEST(RollingScan, AGroupNoLongerWatchedIsForgottenAndNoPartitionsAskNothing) {
  RollingScan scan;
  EXPECT_TRUE(scan.plan({}, {}, {"g"})["g"].empty());
  auto partitions = cluster(2, 3);
  auto asked = scan.plan(partitions, {{"g", {"t0", "t1"}}}, {"g"});
  EXPECT_EQ(asked["g"].size(), 6u) << "every topic counted: nothing left to scan";
  EXPECT_EQ(scan.plan(partitions, {}, {"h"}).count("g"), 0u);
}

}  // namespace
}  // namespace cdcwatch
