// How each probe's cycles have gone: the source of cdcwatch_probe_* self metrics, /readyz and the
// per-probe part of /status. Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "agent/core/clock.h"
#include "agent/core/probe.h"
#include "agent/core/readings.h"

namespace cdcwatch {

// The error reasons the scheduler gives, whatever the probe: a cycle past its timeout, and a probe
// that threw.
inline constexpr const char* kTimeoutReason = "timeout";
inline constexpr const char* kInternalReason = "internal";

struct ProbeRecord {
  std::string probe;
  Millis interval{0};
  uint64_t cycles = 0;  // completed (ok or failed), including timeouts
  bool up = false;
  bool running = false;
  bool stuck = false;  // its cycle outlived its timeout and has not returned yet
  std::optional<TimePoint> last_run;
  std::optional<TimePoint> last_success;
  std::optional<TimePoint> first_completed;       // when its first cycle ended (or timed out)
  std::optional<TimePoint> last_completed_start;  // when its last completed cycle began
  double last_duration_seconds = 0;
  std::string last_error_reason;
  std::string last_error_message;  // already scrubbed of secrets
  nlohmann::json status = nlohmann::json::object();
  std::map<std::string, uint64_t> errors_by_reason;
  HistogramValue durations;
};

class ProbeHealth {
 public:
  // A probe already known (the same entry after a reload) keeps its record.
  void add_probe(const std::string& probe, Millis interval);
  void remove_probe(const std::string& probe);
  void cycle_started(const std::string& probe, TimePoint at);
  // Records an outcome; returns true when the probe's up/down state changed (for logging).
  bool cycle_finished(const std::string& probe, TimePoint started, TimePoint finished,
                      const CollectOutcome& outcome);
  // Marks a probe that has run past its timeout failed and stuck. Returns false when already
  // marked.
  bool mark_timed_out(const std::string& probe, Millis timeout);

  bool all_completed_a_cycle() const;
  // Every probe has completed a cycle, and `probe` (a stage reading the others' readings) has
  // completed one that began after all the others' first: what it published covers them all.
  // True when no probe of that name runs.
  bool completed_a_cycle_after_all_others(const std::string& probe) const;
  std::vector<ProbeRecord> records() const;
  Readings self_metrics() const;  // cdcwatch_probe_* families, cdcwatch_probe_stuck among them
  nlohmann::json status_json() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, ProbeRecord> records_;
};

}  // namespace cdcwatch
