// Capped exponential backoff with jitter, for reconnects and retries of calls that are safe to
// repeat. Not thread-safe: one per connection or request loop.
#pragma once

#include <random>

#include "agent/core/units.h"

namespace cdcwatch {

class Backoff {
 public:
  Backoff(Millis initial, Millis max) : initial_(initial), max_(max) {}

  // The delay before the next attempt: initial * 2^failures, capped, then "equal jitter"
  // (a random point in its upper half) so that many agents do not retry in step.
  Millis next_delay() {
    double base = static_cast<double>(initial_.count());
    for (int i = 0; i < failures_ && base < max_.count(); ++i) base *= 2;
    if (base > max_.count()) base = static_cast<double>(max_.count());
    ++failures_;
    std::uniform_real_distribution<double> half(base / 2, base);
    return Millis(static_cast<int64_t>(half(random_)));
  }
  void reset() { failures_ = 0; }
  int failures() const { return failures_; }

 private:
  Millis initial_, max_;
  int failures_ = 0;
  std::mt19937_64 random_{std::random_device{}()};
};

}  // namespace cdcwatch
