// Read access to every probe's latest readings. The pipeline stage uses it to join what the probes
// saw (a connector's committed LSN with the slot probe's WAL position); rules use it to evaluate.
// Implementations are thread-safe.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "agent/core/readings.h"

namespace cdcwatch {

class ReadingsView {
 public:
  virtual ~ReadingsView() = default;
  // The series of `metric` whose labels include every pair of `match`.
  virtual std::vector<Series> find(std::string_view metric, const Labels& match) const = 0;
  // The value of the only (or first) series matching, if any.
  std::optional<double> first_value(std::string_view metric, const Labels& match) const {
    auto found = find(metric, match);
    if (found.empty()) return std::nullopt;
    return found.front().value;
  }
};

}  // namespace cdcwatch
