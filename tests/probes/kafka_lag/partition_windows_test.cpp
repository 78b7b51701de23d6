#include "probes/kafka_lag/partition_windows.h"

#include <gtest/gtest.h>

#include <tuple>
#include <vector>

namespace cdcwatch {
namespace {

using Key = std::tuple<std::string, std::string, int32_t>;

std::vector<Key> keys(const PartitionWindows& windows) {
  std::vector<Key> out;
  windows.for_each([&](const std::string& group, const std::string& topic, int32_t partition,
                       const PartitionWindow&) { out.emplace_back(group, topic, partition); });
  return out;
}

TEST(PartitionWindows, AWindowLastsAsLongAsItsPartitionIsTouchedOrKept) {
  PartitionWindows windows(3, Millis(60000));
  TimePoint t{};
  windows.begin_cycle();
  windows.touch("g", "orders", 0).observe(t, 5, 1);
  windows.touch("g", "orders", 7).observe(t, 5, 1);
  windows.touch("h", "users", 2).observe(t, 5, 0);
  windows.forget_untouched();
  EXPECT_EQ(keys(windows),
            (std::vector<Key>{{"g", "orders", 0}, {"g", "orders", 7}, {"h", "users", 2}}));

  windows.begin_cycle();
  windows.touch("g", "orders", 0).observe(t, 6, 1);
  windows.keep("g", "orders", 7);  // lag unknown this cycle: kept, not observed
  windows.keep("g", "orders", 3);  // never had a window: nothing made
  windows.forget_untouched();
  EXPECT_EQ(keys(windows), (std::vector<Key>{{"g", "orders", 0}, {"g", "orders", 7}}))
      << "the group h went away";

  windows.begin_cycle();
  windows.touch("g", "orders", 0).observe(t, 7, 1);
  windows.forget_untouched();
  EXPECT_EQ(keys(windows), (std::vector<Key>{{"g", "orders", 0}}));
  EXPECT_EQ(windows.size(), 1u);
}

TEST(PartitionWindows, AWindowKeepsItsObservationsAcrossCycles) {
  PartitionWindows windows(3, Millis(60000));
  TimePoint t{};
  for (int cycle = 0; cycle < 3; ++cycle) {
    windows.begin_cycle();
    windows.touch("g", "orders", 4).observe(t + std::chrono::seconds(cycle), 100, 10);
    windows.forget_untouched();
  }
  EXPECT_EQ(windows.touch("g", "orders", 4).status(), ConsumerStatus::kStall)
      << "a full window with lag and an offset that never moved";
}

TEST(PartitionWindows, ARestoredWindowGoesUnlessTheNextCycleTouchesIt) {
  PartitionWindows windows(3, Millis(60000));
  windows.put("g", "orders", 1, PartitionWindow(3, Millis(60000)));
  windows.put("g", "orders", 2, PartitionWindow(3, Millis(60000)));
  windows.put("g", "orders", -1, PartitionWindow(3, Millis(60000)));  // not a partition: ignored
  EXPECT_EQ(windows.size(), 2u);
  windows.begin_cycle();
  windows.touch("g", "orders", 2);
  windows.forget_untouched();
  EXPECT_EQ(keys(windows), (std::vector<Key>{{"g", "orders", 2}}));
}

}  // namespace
}  // namespace cdcwatch
