// Which alert instances a silence or a maintenance window covers: `pipeline=orders,hop=sink`,
// `alert=CdcSlotLost`, `slot=debezium_orders`. Comma-separated `key=value` pairs, all of which must
// equal the instance's label of that name (`alert`, `severity`, the series' labels, and `pipeline`
// and `hop` for alerts that belong to a pipeline). An instance without the label is not covered.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "agent/core/readings.h"

namespace cdcwatch {

class MatcherError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct Matcher {
  Labels pairs;  // in the order written

  bool matches(const Labels& alert_labels) const;
  std::string text() const;  // "pipeline=orders,hop=sink"
};

// Throws MatcherError naming the bad part and how to write it.
Matcher parse_matcher(std::string_view text);

}  // namespace cdcwatch
