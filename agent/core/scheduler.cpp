#include "agent/core/scheduler.h"

#include <spdlog/spdlog.h>

#include <random>

namespace cdcwatch {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Up to 10% of the interval, so probes started together do not query in lockstep.
Millis jitter(Millis interval) {
  thread_local std::mt19937_64 random{std::random_device{}()};
  int64_t spread = interval.count() / 10;
  if (spread <= 0) return Millis(0);
  return Millis(std::uniform_int_distribution<int64_t>(0, spread)(random));
}

}  // namespace

Scheduler::Scheduler(ReadingsStore& store, ProbeHealth& health, const Clock& clock)
    : store_(store), health_(health), clock_(clock) {}

Scheduler::~Scheduler() { stop(); }

void Scheduler::add(std::unique_ptr<Probe> probe) {
  health_.add_probe(probe->name(), probe->interval());
  auto worker = std::make_unique<Worker>();
  worker->probe = std::move(probe);
  workers_.push_back(std::move(worker));
}

void Scheduler::start() {
  for (auto& worker : workers_) {
    worker->thread = std::thread([this, w = worker.get()] { run_worker(*w); });
  }
  watchdog_ = std::thread([this] { run_watchdog(); });
}

bool Scheduler::sleep_until(SteadyClock::time_point until) {
  std::unique_lock lock(mutex_);
  return !wake_.wait_until(lock, until, [this] { return stopping_; });
}

void Scheduler::run_worker(Worker& worker) {
  Probe& probe = *worker.probe;
  const std::string name = probe.name();
  probe.start();
  auto next = SteadyClock::now() + jitter(probe.interval());
  while (sleep_until(next)) {
    TimePoint started = clock_.now();
    auto steady_started = SteadyClock::now();
    health_.cycle_started(name, started);
    worker.cycle_started_ns = steady_started.time_since_epoch().count();
    worker.running = true;
    CollectContext ctx{started + probe.timeout(), clock_, store_};
    CollectOutcome outcome;
    try {
      outcome = probe.collect(ctx);
    } catch (const std::exception& e) {
      // collect must not throw; if it does, it is a bug worth seeing, not a crash.
      outcome.fail("internal", std::string("probe threw: ") + e.what());
    }
    worker.running = false;
    store_.publish(name, std::move(outcome.readings));
    bool changed = health_.cycle_finished(name, started, clock_.now(), outcome);
    if (changed) {
      if (outcome.ok()) {
        spdlog::info("probe {} is up", name);
      } else {
        spdlog::warn("probe {} is down ({}): {}", name, outcome.error_reason,
                     outcome.error_message);
      }
    }
    if (listener_) listener_(name);
    next = steady_started + probe.interval() + jitter(probe.interval());
    if (next < SteadyClock::now()) next = SteadyClock::now();
  }
  worker.finished = true;
}

void Scheduler::run_watchdog() {
  while (sleep_until(SteadyClock::now() + Millis(100))) {
    auto now = SteadyClock::now();
    for (auto& worker : workers_) {
      if (!worker->running) continue;
      auto started = SteadyClock::time_point(SteadyClock::duration(worker->cycle_started_ns));
      Millis timeout = worker->probe->timeout();
      if (now - started < timeout) continue;
      const std::string name = worker->probe->name();
      if (health_.mark_timed_out(name, timeout)) {
        store_.drop(name);  // stale numbers are worse than none
        spdlog::warn("probe {} timed out after {}", name, format_duration(timeout));
        if (listener_) listener_(name);
      }
    }
  }
}

bool Scheduler::stop(Millis grace) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !watchdog_.joinable()) return true;
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& worker : workers_) worker->probe->stop();
  if (watchdog_.joinable()) watchdog_.join();
  auto deadline = SteadyClock::now() + grace;
  bool all_stopped = true;
  for (auto& worker : workers_) {
    if (!worker->thread.joinable()) continue;
    while (!worker->finished && SteadyClock::now() < deadline) {
      std::this_thread::sleep_for(Millis(10));
    }
    if (worker->finished) {
      worker->thread.join();
    } else {
      worker->thread.detach();
      all_stopped = false;
    }
  }
  return all_stopped;
}

}  // namespace cdcwatch
