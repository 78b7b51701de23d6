// Wall-clock time behind an interface, so that windows, `for` durations and forecasts are tested
// by advancing a fake clock instead of sleeping. Implementations are thread-safe.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

namespace cdcwatch {

using TimePoint = std::chrono::system_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::system_clock::now(); }
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimePoint start = TimePoint(std::chrono::seconds(1'700'000'000)))
      : now_(start.time_since_epoch().count()) {}
  TimePoint now() const override { return TimePoint(TimePoint::duration(now_.load())); }
  void advance(std::chrono::nanoseconds by) {
    now_ += std::chrono::duration_cast<TimePoint::duration>(by).count();
  }
  void set(TimePoint to) { now_ = to.time_since_epoch().count(); }

 private:
  std::atomic<TimePoint::rep> now_;
};

inline double to_unix_seconds(TimePoint t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

inline double seconds_between(TimePoint earlier, TimePoint later) {
  return std::chrono::duration<double>(later - earlier).count();
}

// The time left until `deadline`, kept between `floor` and `cap`: the timeout of one call made
// within a probe cycle (never zero, never longer than the call's own limit).
inline std::chrono::milliseconds time_left(
    TimePoint deadline, const Clock& clock, std::chrono::milliseconds cap,
    std::chrono::milliseconds floor = std::chrono::milliseconds(100)) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock.now());
  return std::clamp(left, floor, std::max(floor, cap));
}

}  // namespace cdcwatch

namespace cdcwatch {

// "2026-11-23T14:05:09.123Z"
inline std::string format_timestamp(TimePoint t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[40];
  size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(buffer + n, sizeof buffer - n, ".%03dZ", static_cast<int>(ms % 1000));
  return buffer;
}

}  // namespace cdcwatch
