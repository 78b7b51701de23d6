// Runs each probe on its own worker thread, on its own interval with jitter, and a watchdog that
// marks a probe failed ("timeout") when a cycle outlives its timeout. A slow or hung probe
// therefore never delays another probe or /metrics, which reads only the stores. add() before
// start(); start() and stop() from one thread; the listener runs on probe workers.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "agent/core/clock.h"
#include "agent/core/probe.h"
#include "agent/core/probe_health.h"
#include "agent/core/readings_store.h"

namespace cdcwatch {

class Scheduler {
 public:
  using CycleListener = std::function<void(const std::string& probe)>;

  Scheduler(ReadingsStore& store, ProbeHealth& health, const Clock& clock);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  void add(std::unique_ptr<Probe> probe);
  void on_cycle(CycleListener listener) { listener_ = std::move(listener); }
  void start();
  // Asks every probe to stop and waits up to `grace` for the workers; returns false when some
  // worker is still blocked (the caller may then exit without waiting for it).
  bool stop(Millis grace = Millis(3000));
  size_t probe_count() const { return workers_.size(); }

 private:
  struct Worker {
    std::unique_ptr<Probe> probe;
    std::thread thread;
    std::atomic<bool> running{false};
    std::atomic<int64_t> cycle_started_ns{0};
    std::atomic<bool> finished{false};
  };
  void run_worker(Worker& worker);
  void run_watchdog();
  // Sleeps until `until` or stop; returns false on stop.
  bool sleep_until(std::chrono::steady_clock::time_point until);

  ReadingsStore& store_;
  ProbeHealth& health_;
  const Clock& clock_;
  CycleListener listener_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::thread watchdog_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
};

}  // namespace cdcwatch
