// Unix seconds back to a time point, for "since when" clocks read back from saved state.
#pragma once

#include <chrono>

#include "agent/core/clock.h"

namespace cdcwatch {

inline TimePoint from_unix_seconds(double seconds) {
  return TimePoint(
      std::chrono::duration_cast<TimePoint::duration>(std::chrono::duration<double>(seconds)));
}

}  // namespace cdcwatch
