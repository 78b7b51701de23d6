#include "probes/kafkaconn/partition_table.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace cdcwatch {
namespace {

TEST(PartitionTable, FindsWhatWasMadeAndNothingElse) {
  PartitionTable<int64_t> table;
  table.make("orders", 3) = 30;
  table[{"users", 0}] = 1;
  EXPECT_EQ(table.size(), 2u);
  ASSERT_NE(table.find("orders", 3), nullptr);
  EXPECT_EQ(*table.find("orders", 3), 30);
  EXPECT_EQ(table.find("orders", 0), nullptr) << "a lower partition was not made";
  EXPECT_EQ(table.find("orders", 4), nullptr);
  EXPECT_EQ(table.find("orders", -1), nullptr);
  EXPECT_EQ(table.find("payments", 0), nullptr);
  EXPECT_TRUE(table.contains({"users", 0}));
  EXPECT_THROW(table.make("orders", -1), std::out_of_range);
  EXPECT_EQ(table.make("orders", 3), 30) << "making an existing value keeps it";
  EXPECT_EQ(table.size(), 2u);
}

TEST(PartitionTable, VisitsInTopicThenPartitionOrderAndRetainsWhatIsKept) {
  PartitionTable<int64_t> table = {{{"b", 2}, 22}, {{"a", 1}, 11}, {{"b", 0}, 20}, {{"c", 5}, 5}};
  std::vector<std::string> seen;
  table.for_each([&](const std::string& topic, int32_t partition, int64_t value) {
    seen.push_back(topic + std::to_string(partition) + "=" + std::to_string(value));
  });
  EXPECT_EQ(seen, (std::vector<std::string>{"a1=11", "b0=20", "b2=22", "c5=5"}));

  table.retain([](const std::string& topic, int32_t partition, int64_t) {
    return topic == "b" && partition == 0;
  });
  EXPECT_EQ(table.to_map(), (std::map<TopicPartition, int64_t>{{{"b", 0}, 20}}));
  std::vector<std::string> topics;
  table.for_each_topic([&](const std::string& topic) { topics.push_back(topic); });
  EXPECT_EQ(topics, (std::vector<std::string>{"b"})) << "topics left without values go";
  table.clear();
  EXPECT_TRUE(table.empty());
}

}  // namespace
}  // namespace cdcwatch
