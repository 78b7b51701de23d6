// Values by topic and partition number, for the Kafka probes' per-partition state. Kafka numbers a
// topic's partitions 0..n-1, so a topic's values are a vector indexed by that number: at 100,000
// partitions a std::map keyed by (topic, partition) cost about 100 bytes a partition on top of the
// value (a tree node and a heap copy of the topic name), and a string comparison per tree level.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "probes/kafkaconn/topic_partition.h"

namespace cdcwatch {

template <typename T>
class PartitionTable {
 public:
  PartitionTable() = default;
  PartitionTable(std::initializer_list<std::pair<const TopicPartition, T>> values) {
    for (const auto& [tp, value] : values) (*this)[tp] = value;
  }

  const T* find(std::string_view topic, int32_t partition) const {
    auto t = topics_.find(topic);
    if (t == topics_.end() || partition < 0 || static_cast<size_t>(partition) >= t->second.size()) {
      return nullptr;
    }
    const Cell& cell = t->second[static_cast<size_t>(partition)];
    return cell.present ? &cell.value : nullptr;
  }
  T* find(std::string_view topic, int32_t partition) {
    return const_cast<T*>(std::as_const(*this).find(topic, partition));
  }
  const T* find(const TopicPartition& tp) const { return find(tp.first, tp.second); }
  T* find(const TopicPartition& tp) { return find(tp.first, tp.second); }
  bool contains(const TopicPartition& tp) const { return find(tp) != nullptr; }

  // The partition's value, made (value-initialised) when absent. Partition numbers are never
  // negative in Kafka; a negative one throws std::out_of_range.
  T& operator[](const TopicPartition& tp) { return make(tp.first, tp.second); }
  T& make(std::string_view topic, int32_t partition) {
    if (partition < 0) throw std::out_of_range("negative partition number");
    auto t = topics_.find(topic);
    if (t == topics_.end()) t = topics_.emplace(std::string(topic), std::vector<Cell>()).first;
    auto& cells = t->second;
    if (static_cast<size_t>(partition) >= cells.size()) {
      cells.resize(static_cast<size_t>(partition) + 1);
    }
    Cell& cell = cells[static_cast<size_t>(partition)];
    if (!cell.present) {
      cell.present = true;
      ++size_;
    }
    return cell.value;
  }

  // Keeps the values for which keep(topic, partition, value) is true.
  template <typename Keep>
  void retain(Keep keep) {
    for (auto t = topics_.begin(); t != topics_.end();) {
      auto& cells = t->second;
      for (size_t p = 0; p < cells.size(); ++p) {
        if (cells[p].present && !keep(t->first, static_cast<int32_t>(p), cells[p].value)) {
          cells[p] = Cell();
          --size_;
        }
      }
      while (!cells.empty() && !cells.back().present) cells.pop_back();
      if (cells.empty()) {
        t = topics_.erase(t);
      } else {
        ++t;
      }
    }
  }

  // f(topic, partition, value) for every value, by topic, then partition.
  template <typename F>
  void for_each(F f) const {
    for (const auto& [topic, cells] : topics_) {
      for (size_t p = 0; p < cells.size(); ++p) {
        if (cells[p].present) f(topic, static_cast<int32_t>(p), cells[p].value);
      }
    }
  }

  // How many partitions of `topic` have a value.
  size_t count(std::string_view topic) const {
    auto t = topics_.find(topic);
    if (t == topics_.end()) return 0;
    size_t n = 0;
    for (const auto& cell : t->second) n += cell.present ? 1 : 0;
    return n;
  }

  // f(topic) for every topic with a value.
  template <typename F>
  void for_each_topic(F f) const {
    for (const auto& [topic, cells] : topics_) f(topic);
  }

  // A copy as a map, for tests and messages.
  std::map<TopicPartition, T> to_map() const {
    std::map<TopicPartition, T> out;
    for_each([&](const std::string& topic, int32_t p, const T& value) { out[{topic, p}] = value; });
    return out;
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  void clear() {
    topics_.clear();
    size_ = 0;
  }

 private:
  struct Cell {
    T value{};
    bool present = false;
  };
  std::map<std::string, std::vector<Cell>, std::less<>> topics_;
  size_t size_ = 0;
};

}  // namespace cdcwatch
