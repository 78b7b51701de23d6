// A JSON array filled while its text fits in a byte budget: for probe states, which the state
// store refuses over ProbeStateStore::kMaxStateBytes and which are built after every cycle, so a
// section that is full stops taking (and costing) entries.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <utility>

namespace cdcwatch {

class BoundedJsonArray {
 public:
  explicit BoundedJsonArray(size_t bytes) : left_(bytes) {}

  // False, and nothing more is taken, once an entry does not fit.
  bool add(nlohmann::json entry) {
    size_t bytes = full_ ? 0 : entry.dump().size() + 1;  // and its comma
    if (full_ || bytes > left_) {
      full_ = true;
      return false;
    }
    left_ -= bytes;
    array_.push_back(std::move(entry));
    return true;
  }
  bool full() const { return full_; }
  nlohmann::json take() { return std::move(array_); }

 private:
  size_t left_;
  bool full_ = false;
  nlohmann::json array_ = nlohmann::json::array();
};

}  // namespace cdcwatch
