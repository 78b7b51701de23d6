// Runs each probe on its own worker thread, on its own interval with jitter, and a watchdog that
// marks a probe failed ("timeout") and stuck when a cycle outlives its timeout. A slow or hung
// probe therefore never delays another probe or /metrics, which reads only the stores. After each
// cycle the probe's save_state() goes to the state listener. add() before start(); start() and
// stop() from one thread; the listeners run on probe workers. A worker still blocked when stop()
// gives up on it is abandoned: it may return later, but publishes nothing more.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "agent/core/clock.h"
#include "agent/core/probe.h"
#include "agent/core/probe_health.h"
#include "agent/core/readings_store.h"

namespace cdcwatch {

class Scheduler {
 public:
  using CycleListener = std::function<void(const std::string& probe)>;
  using StateListener = std::function<void(const std::string& probe, const nlohmann::json& state)>;

  Scheduler(ReadingsStore& store, ProbeHealth& health, const Clock& clock);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  void add(std::unique_ptr<Probe> probe);
  void on_cycle(CycleListener listener);
  void on_saved_state(StateListener listener);
  void start();
  // Asks every probe to stop and waits for each worker until its current cycle's timeout (a worker
  // already past it is not waited for), and never longer than `grace` in all. Returns false when
  // some worker was abandoned still blocked.
  bool stop(Millis grace = Millis(3000));
  // Started, not stopped, and every worker thread still cycling: what /healthz reports.
  bool running() const;
  size_t probe_count() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;  // shared with the worker threads, which may outlive a stop()
};

}  // namespace cdcwatch
