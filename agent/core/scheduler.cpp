#include "agent/core/scheduler.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <random>
#include <thread>

#include "agent/core/freed_memory.h"

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

struct Worker {
  std::unique_ptr<Probe> probe;
  std::string name;
  std::thread thread;
  std::atomic<bool> running{false};
  std::atomic<int64_t> cycle_started_ns{0};
  std::atomic<bool> finished{false};

  SteadyClock::time_point cycle_started() const {
    return SteadyClock::time_point(SteadyClock::duration(cycle_started_ns.load()));
  }
};

}  // namespace

struct Scheduler::Impl {
  Impl(ReadingsStore& store, ProbeHealth& health, const Clock& clock)
      : store(store), health(health), clock(clock) {}

  void run_worker(Worker& worker);
  void finish_cycle(Worker& worker, TimePoint started, CollectOutcome outcome);
  void run_watchdog();
  bool sleep_until(SteadyClock::time_point until);
  SteadyClock::time_point wait_limit(const Worker& worker, SteadyClock::time_point stop_started,
                                     SteadyClock::time_point give_up) const;

  ReadingsStore& store;
  ProbeHealth& health;
  const Clock& clock;
  CycleListener cycle_listener;
  StateListener state_listener;
  std::vector<std::shared_ptr<Worker>> workers;
  std::thread watchdog;
  std::mutex mutex;
  std::condition_variable wake;
  std::atomic<bool> started{false};
  std::atomic<bool> stopping{false};
  // Held while a cycle's results are published, so that once stop() has passed it, an abandoned
  // worker that returns late cannot publish readings for a probe that no longer runs.
  std::mutex publish_mutex;
};

Scheduler::Scheduler(ReadingsStore& store, ProbeHealth& health, const Clock& clock)
    : impl_(std::make_shared<Impl>(store, health, clock)) {}

Scheduler::~Scheduler() { stop(); }

void Scheduler::add(std::unique_ptr<Probe> probe) {
  impl_->health.add_probe(probe->name(), probe->interval());
  auto worker = std::make_shared<Worker>();
  worker->name = probe->name();
  worker->probe = std::move(probe);
  impl_->workers.push_back(std::move(worker));
}

void Scheduler::on_cycle(CycleListener listener) { impl_->cycle_listener = std::move(listener); }

void Scheduler::on_saved_state(StateListener listener) {
  impl_->state_listener = std::move(listener);
}

size_t Scheduler::probe_count() const { return impl_->workers.size(); }

void Scheduler::start() {
  impl_->started = true;
  for (auto& worker : impl_->workers) {
    // The thread owns a share of the scheduler, so an abandoned worker never outlives what it uses.
    worker->thread = std::thread([impl = impl_, worker] { impl->run_worker(*worker); });
  }
  impl_->watchdog = std::thread([impl = impl_.get()] { impl->run_watchdog(); });
}

bool Scheduler::running() const {
  if (!impl_->started || impl_->stopping) return false;
  for (const auto& worker : impl_->workers) {
    if (worker->finished) return false;
  }
  return true;
}

bool Scheduler::Impl::sleep_until(SteadyClock::time_point until) {
  std::unique_lock lock(mutex);
  return !wake.wait_until(lock, until, [this] { return stopping.load(); });
}

void Scheduler::Impl::run_worker(Worker& worker) {
  Probe& probe = *worker.probe;
  try {
    probe.start();
  } catch (const std::exception& e) {
    spdlog::error("probe {} failed to start: {}", worker.name, e.what());
  }
  auto next = SteadyClock::now() + jitter(probe.interval());
  while (sleep_until(next)) {
    TimePoint started = clock.now();
    auto steady_started = SteadyClock::now();
    health.cycle_started(worker.name, started);
    worker.cycle_started_ns = steady_started.time_since_epoch().count();
    worker.running = true;
    CollectContext ctx{started + probe.timeout(), clock, store};
    CollectOutcome outcome;
    try {
      outcome = probe.collect(ctx);
    } catch (const std::exception& e) {
      // collect must not throw; if it does, it is a bug worth seeing, not a crash.
      outcome.fail(kInternalReason, std::string("probe threw: ") + e.what());
    }
    worker.running = false;
    finish_cycle(worker, started, std::move(outcome));
    if (stopping) break;
    next = steady_started + probe.interval() + jitter(probe.interval());
    if (next < SteadyClock::now()) next = SteadyClock::now();
  }
  worker.finished = true;
}

void Scheduler::Impl::finish_cycle(Worker& worker, TimePoint started, CollectOutcome outcome) {
  nlohmann::json state;
  try {
    state = worker.probe->save_state();
  } catch (const std::exception& e) {
    spdlog::warn("probe {} could not save its state: {}", worker.name, e.what());
  }
  release_freed_memory();  // what the cycle allocated and freed, so RSS follows what is in use
  {
    std::lock_guard lock(publish_mutex);
    if (stopping) return;
    store.publish(worker.name, std::move(outcome.readings));
    bool changed = health.cycle_finished(worker.name, started, clock.now(), outcome);
    if (changed && outcome.ok()) spdlog::info("probe {} is up", worker.name);
    if (changed && !outcome.ok()) {
      spdlog::warn("probe {} is down ({}): {}", worker.name, outcome.error_reason,
                   outcome.error_message);
    }
    if (state_listener) state_listener(worker.name, state);
  }
  if (cycle_listener) cycle_listener(worker.name);
}

void Scheduler::Impl::run_watchdog() {
  while (sleep_until(SteadyClock::now() + Millis(100))) {
    auto now = SteadyClock::now();
    for (auto& worker : workers) {
      if (!worker->running) continue;
      Millis timeout = worker->probe->timeout();
      if (now - worker->cycle_started() < timeout) continue;
      if (health.mark_timed_out(worker->name, timeout)) {
        store.drop(worker->name);  // stale numbers are worse than none
        spdlog::warn("probe {} timed out after {} and is stuck in its cycle", worker->name,
                     format_duration(timeout));
        if (cycle_listener) cycle_listener(worker->name);
      }
    }
  }
}

// A worker in a cycle gets until that cycle's timeout (at least a moment to see stop());
// an idle one only needs to wake; nobody waits past `give_up`.
SteadyClock::time_point Scheduler::Impl::wait_limit(const Worker& worker,
                                                    SteadyClock::time_point stop_started,
                                                    SteadyClock::time_point give_up) const {
  constexpr Millis kMoment(100);
  if (!worker.running) return give_up;
  auto limit = std::max(worker.cycle_started() + worker.probe->timeout(), stop_started + kMoment);
  return std::min(limit, give_up);
}

bool Scheduler::stop(Millis grace) {
  Impl& impl = *impl_;
  {
    std::lock_guard lock(impl.mutex);
    if (impl.stopping && !impl.watchdog.joinable()) return true;
    impl.stopping = true;
  }
  impl.wake.notify_all();
  { std::lock_guard barrier(impl.publish_mutex); }  // no cycle publishes from here on
  for (auto& worker : impl.workers) worker->probe->stop();
  if (impl.watchdog.joinable()) impl.watchdog.join();
  auto stop_started = SteadyClock::now();
  auto give_up = stop_started + grace;
  bool all_stopped = true;
  for (auto& worker : impl.workers) {
    if (!worker->thread.joinable()) continue;
    auto limit = impl.wait_limit(*worker, stop_started, give_up);
    while (!worker->finished && SteadyClock::now() < limit) {
      std::this_thread::sleep_for(Millis(10));
    }
    if (worker->finished) {
      worker->thread.join();
    } else {
      spdlog::warn("probe {} is still blocked in its cycle; abandoning it", worker->name);
      worker->thread.detach();
      all_stopped = false;
    }
  }
  return all_stopped;
}

}  // namespace cdcwatch
