// The contract every probe keeps, after telegraf's input plugins:
//   configure (pure: parse and validate its config section, no I/O; done by the probe's factory)
//   start     (optional: connect; failures are reported by the first collect, never thrown)
//   collect   (one cycle, bounded by ctx.deadline, never throws)
// The scheduler calls start and collect from the probe's own worker thread, so a probe needs no
// locking of its own state; stop() may be called from another thread to cut a blocked call short.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "agent/core/clock.h"
#include "agent/core/readings.h"
#include "agent/core/readings_view.h"
#include "agent/core/units.h"

namespace cdcwatch {

struct CollectContext {
  TimePoint deadline;  // finish every external call before this
  const Clock& clock;
  const ReadingsView& latest;  // every probe's latest readings, for joins across probes
};

struct CollectOutcome {
  Readings readings;          // also on failure: e.g. cdcwatch_pg_up 0 and no slot series
  std::string error_reason;   // empty on success; else a short label: connect, query, timeout, ...
  std::string error_message;  // for /status and logs: what, where, what to do; never a secret
  nlohmann::json status = nlohmann::json::object();  // the main readings, shown on /status

  bool ok() const { return error_reason.empty(); }
  void fail(std::string reason, std::string message) {
    error_reason = std::move(reason);
    error_message = std::move(message);
  }
};

class Probe {
 public:
  virtual ~Probe() = default;
  // The `probe` label value, unique in the agent, such as "pg_slots/orders".
  virtual std::string name() const = 0;
  virtual Millis interval() const = 0;
  // How long a cycle may run before the scheduler marks the probe failed with reason "timeout".
  virtual Millis timeout() const { return interval(); }
  virtual void start() {}
  virtual CollectOutcome collect(const CollectContext& ctx) = 0;
  // Called from another thread at shutdown; should make a blocked collect return soon.
  virtual void stop() {}

  // What the probe has learnt over time and must not forget on a reload or a restart (windows,
  // histories, "since when" clocks), as JSON; null when it keeps nothing. Called on the probe's
  // worker thread after a cycle, so it needs no locking. Keep it bounded: it is written to
  // state_dir every cycle.
  virtual nlohmann::json save_state() const { return nullptr; }
  // Takes back what save_state() returned, possibly written by another build or for a changed
  // entry: check what you read, ignore what you do not know, keep nothing doubtful, never throw.
  // Called once, before start().
  virtual void restore_state(const nlohmann::json& /*state*/) {}
};

}  // namespace cdcwatch
