// Probe isolation: a probe that hangs or fails is marked failed and never delays another probe's
// cycles or the readings the endpoints serve. Assertions count cycles; they do not time them.
#include "agent/core/scheduler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <thread>

#include "agent/core/exposition.h"
#include "tests/support/eventually.h"

namespace cdcwatch {
namespace {

using namespace std::chrono_literals;
const MetricDef kCycles{"test_cycles", "cycles run"};

class CountingProbe : public Probe {
 public:
  CountingProbe(std::string name, Millis interval) : name_(std::move(name)), interval_(interval) {}
  std::string name() const override { return name_; }
  Millis interval() const override { return interval_; }
  CollectOutcome collect(const CollectContext&) override {
    CollectOutcome outcome;
    outcome.readings.set(kCycles, {{"probe", name_}}, ++cycles);
    return outcome;
  }
  std::atomic<int> cycles{0};

 private:
  std::string name_;
  Millis interval_;
};

// Blocks in collect until stop(), like a query to a server that never answers.
class HangingProbe : public Probe {
 public:
  std::string name() const override { return "hanging"; }
  Millis interval() const override { return 20ms; }
  Millis timeout() const override { return 100ms; }
  CollectOutcome collect(const CollectContext&) override {
    std::unique_lock lock(mutex_);
    entered = true;
    released_.wait(lock, [this] { return stopped_; });
    CollectOutcome outcome;
    outcome.fail("query", "cancelled");
    return outcome;
  }
  void stop() override {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    released_.notify_all();
  }
  std::atomic<bool> entered{false};

 private:
  std::mutex mutex_;
  std::condition_variable released_;
  bool stopped_ = false;
};

// Blocked in a call that stop() cannot cut short, like a peer that trickles bytes to a client
// without a deadline; released only by the test.
class StuckProbe : public Probe {
 public:
  explicit StuckProbe(std::shared_ptr<std::atomic<bool>> released) : released_(released) {}
  std::string name() const override { return "stuck"; }
  Millis interval() const override { return 20ms; }
  Millis timeout() const override { return 100ms; }
  CollectOutcome collect(const CollectContext&) override {
    entered = true;
    while (!*released_) std::this_thread::sleep_for(5ms);
    CollectOutcome outcome;
    outcome.readings.set(kCycles, {{"probe", "stuck"}}, 1);
    return outcome;
  }
  std::atomic<bool> entered{false};

 private:
  std::shared_ptr<std::atomic<bool>> released_;
};

class FailingProbe : public Probe {
 public:
  std::string name() const override { return "failing"; }
  Millis interval() const override { return 20ms; }
  CollectOutcome collect(const CollectContext&) override {
    ++cycles;
    if (cycles % 2 == 0) throw std::runtime_error("a bug");
    CollectOutcome outcome;
    outcome.fail("connect", "refused");
    return outcome;
  }
  std::atomic<int> cycles{0};
};

using testing::eventually;

TEST(Scheduler, AHungProbeIsMarkedTimedOutWhileOthersKeepCycling) {
  ReadingsStore store;
  ProbeHealth health;
  SystemClock clock;
  Scheduler scheduler(store, health, clock);
  auto counting = std::make_unique<CountingProbe>("counting", 20ms);
  auto hanging = std::make_unique<HangingProbe>();
  CountingProbe* counter = counting.get();
  HangingProbe* hung = hanging.get();
  scheduler.add(std::move(counting));
  scheduler.add(std::move(hanging));
  scheduler.start();

  ASSERT_TRUE(eventually([&] { return hung->entered.load(); }));
  ASSERT_TRUE(eventually([&] {
    for (const auto& record : health.records()) {
      if (record.probe == "hanging") return record.last_error_reason == "timeout";
    }
    return false;
  }));
  int cycles_when_hung = counter->cycles;
  EXPECT_TRUE(eventually([&] { return counter->cycles >= cycles_when_hung + 10; }))
      << "the healthy probe kept its own schedule";
  Readings self = health.self_metrics();
  EXPECT_EQ(self.value("cdcwatch_probe_up", {{"probe", "hanging"}}), 0);
  EXPECT_EQ(self.value("cdcwatch_probe_up", {{"probe", "counting"}}), 1);
  EXPECT_EQ(
      self.value("cdcwatch_probe_errors_total", {{"probe", "hanging"}, {"reason", "timeout"}}), 1)
      << "one timeout counted once, however long the hang";
  EXPECT_FALSE(render_prometheus_text(store.snapshot()).empty());
  EXPECT_TRUE(scheduler.stop(2000ms)) << "stop() releases the hung probe";
}

TEST(Scheduler, AProbeStuckPastItsTimeoutIsReportedAndNotWaitedForAtStop) {
  ReadingsStore store;
  ProbeHealth health;
  SystemClock clock;
  auto released = std::make_shared<std::atomic<bool>>(false);
  {
    Scheduler scheduler(store, health, clock);
    auto stuck = std::make_unique<StuckProbe>(released);
    StuckProbe* probe = stuck.get();
    scheduler.add(std::move(stuck));
    scheduler.start();
    ASSERT_TRUE(eventually([&] { return probe->entered.load(); }));
    ASSERT_TRUE(eventually([&] { return health.status_json()["stuck"]["stuck"] == true; }));
    EXPECT_EQ(health.self_metrics().value("cdcwatch_probe_stuck", {{"probe", "stuck"}}), 1);
    EXPECT_TRUE(scheduler.running());
    // A grace of an hour: stop() returning at all shows it gave up at the probe's timeout.
    EXPECT_FALSE(scheduler.stop(std::chrono::hours(1))) << "the stuck worker was abandoned";
    EXPECT_FALSE(scheduler.running());
  }
  // The abandoned worker returns after its scheduler is gone (a use-after-free here is what the
  // sanitizer builds would catch) and has nothing left to publish to.
  *released = true;
  EXPECT_TRUE(eventually([&] { return released.use_count() == 1; }));
  EXPECT_TRUE(store.of("stuck").families().empty());
}

TEST(Scheduler, FailuresAndExceptionsAreCountedByReasonAndNeverEscape) {
  ReadingsStore store;
  ProbeHealth health;
  SystemClock clock;
  Scheduler scheduler(store, health, clock);
  auto failing = std::make_unique<FailingProbe>();
  FailingProbe* probe = failing.get();
  scheduler.add(std::move(failing));
  scheduler.start();
  ASSERT_TRUE(eventually([&] { return probe->cycles >= 4; }));
  scheduler.stop();
  Readings self = health.self_metrics();
  EXPECT_GE(self.value("cdcwatch_probe_errors_total", {{"probe", "failing"}, {"reason", "connect"}})
                .value_or(0),
            2);
  EXPECT_GE(
      self.value("cdcwatch_probe_errors_total", {{"probe", "failing"}, {"reason", "internal"}})
          .value_or(0),
      2);
  EXPECT_FALSE(health.status_json()["failing"]["error"]["message"].get<std::string>().empty());
}

TEST(ProbeHealth, ReadyOnlyOnceEveryProbeCompletedACycle) {
  ProbeHealth health;
  FakeClock clock;
  health.add_probe("a", 1s);
  health.add_probe("b", 1s);
  CollectOutcome ok;
  health.cycle_started("a", clock.now());
  health.cycle_finished("a", clock.now(), clock.now(), ok);
  EXPECT_FALSE(health.all_completed_a_cycle());
  CollectOutcome failed;
  failed.fail("connect", "refused");
  health.cycle_started("b", clock.now());
  health.cycle_finished("b", clock.now(), clock.now(), failed);
  EXPECT_TRUE(health.all_completed_a_cycle()) << "a failed cycle is still a completed one";
}

// The grouping drill's failed sink task was paged alone once: the pipeline stage's first cycle ran
// before Connect's, so no pipeline was formed yet when the alert fired.
TEST(ProbeHealth, AStageIsCompleteOnlyWithACycleBegunAfterEveryOtherProbesFirst) {
  ProbeHealth health;
  FakeClock clock;
  CollectOutcome ok;
  auto cycle = [&](const std::string& probe) {
    health.cycle_started(probe, clock.now());
    clock.advance(10ms);
    health.cycle_finished(probe, clock.now() - 10ms, clock.now(), ok);
  };
  health.add_probe("connect/main", 1s);
  health.add_probe("pipeline", 1s);
  EXPECT_FALSE(health.completed_a_cycle_after_all_others("pipeline"));
  cycle("pipeline");
  cycle("connect/main");
  EXPECT_TRUE(health.all_completed_a_cycle());
  EXPECT_FALSE(health.completed_a_cycle_after_all_others("pipeline"))
      << "the stage's only cycle ran before Connect had reported";
  cycle("pipeline");
  EXPECT_TRUE(health.completed_a_cycle_after_all_others("pipeline"));
  EXPECT_TRUE(health.completed_a_cycle_after_all_others("no-such-stage"));
}

// Issue 22: a dashboard's rate() of a reason that never occurred showed "No data" instead of 0.
TEST(ProbeHealth, TheSchedulersOwnErrorReasonsStartAtZero) {
  ProbeHealth health;
  health.add_probe("pg_slots/shop", 1s);
  Readings self = health.self_metrics();
  for (const char* reason : {"timeout", "internal"}) {
    EXPECT_EQ(
        self.value("cdcwatch_probe_errors_total", {{"probe", "pg_slots/shop"}, {"reason", reason}}),
        0)
        << reason;
  }
  FakeClock clock;
  CollectOutcome failed;
  failed.fail("connect", "refused");
  health.cycle_finished("pg_slots/shop", clock.now(), clock.now(), failed);
  EXPECT_EQ(health.self_metrics().value("cdcwatch_probe_errors_total",
                                        {{"probe", "pg_slots/shop"}, {"reason", "connect"}}),
            1);
}

}  // namespace
}  // namespace cdcwatch
