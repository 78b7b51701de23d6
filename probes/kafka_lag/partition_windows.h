// Every watched group's status windows (consumer_status.h), by group, topic and partition number.
// Kafka numbers a topic's partitions 0..n-1, so a topic's windows are a vector indexed by that
// number: at 100,000 partitions a map keyed by (group, topic, partition), with a set of the keys
// seen each cycle, cost about 440 bytes a window on top of the window itself.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "agent/core/units.h"
#include "probes/kafka_lag/consumer_status.h"
#include "probes/kafkaconn/partition_table.h"

namespace cdcwatch {

class PartitionWindows {
 public:
  PartitionWindows(size_t size, Millis stop_after) : size_(size), stop_after_(stop_after) {}

  // A new cycle: the windows not touched or kept by its end go with forget_untouched().
  void begin_cycle() { ++cycle_; }
  // The partition's window, made empty on first use.
  PartitionWindow& touch(const std::string& group, const std::string& topic, int32_t partition);
  // Keeps the partition's window, if it has one, through this cycle without observing it (its
  // lag is unknown this cycle, not gone).
  void keep(const std::string& group, const std::string& topic, int32_t partition);
  // Partitions and groups that went away lose their windows, as their series are gone too.
  void forget_untouched();
  // A restored window; like a new one it goes at the end of the next cycle unless touched.
  void put(const std::string& group, const std::string& topic, int32_t partition,
           PartitionWindow window);

  size_t size() const;
  // f(group, topic, partition, window) for every window, by group, topic and partition.
  template <typename F>
  void for_each(F&& f) const {
    for (const auto& entry : groups_) {
      const std::string& group = entry.first;  // clang 14 cannot capture a structured binding
      entry.second.for_each([&](const std::string& topic, int32_t partition, const Slot& slot) {
        f(group, topic, partition, *slot.window);
      });
    }
  }

 private:
  struct Slot {
    std::optional<PartitionWindow> window;  // PartitionWindow has no empty state of its own
    uint32_t touched = 0;                   // the cycle that last touched or kept it
  };

  size_t size_;
  Millis stop_after_;
  uint32_t cycle_ = 1;
  std::map<std::string, PartitionTable<Slot>> groups_;
};

}  // namespace cdcwatch
