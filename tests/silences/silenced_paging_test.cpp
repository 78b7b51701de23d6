// The alerting engine with silences and maintenance windows, a fake clock and a local PagerDuty
// Events API v2: a covered alert shows as firing and silenced but does not page; when the silence
// ends while it still fires it pages then; a silence added during an incident neither resolves it
// nor re-triggers it. A page is decided when it lands in the outbox (synchronously in evaluate());
// while PagerDuty answers 503 every decided page stays there, so an empty outbox means no page.
#include <gtest/gtest.h>

#include <filesystem>

#include "agent/alerting/alerting_engine.h"
#include "agent/alerting/rule_set.h"
#include "agent/core/readings_store.h"
#include "agent/silences/silence_file.h"
#include "tests/support/child_process.h"
#include "tests/support/eventually.h"
#include "tests/support/pagerduty_server.h"

namespace cdcwatch {
namespace {

using namespace std::chrono_literals;
using testing::eventually;

const MetricDef kWal{"cdcwatch_pg_slot_retained_wal_bytes", "test"};
const Labels kWalAlert = {{"alert", "CdcSlotRetainedWalHigh"},
                          {"severity", "critical"},
                          {"slot", "debezium"},
                          {"source", "orders"}};

struct Paging {
  explicit Paging(const std::string& state_dir, std::vector<MaintenanceWindow> maintenance = {},
                  Millis retrigger_interval = Millis(300000)) {
    pagerduty.start();
    setup.rules = {parse_alert_rule(ConfigNode::load_string(
        "alert: CdcSlotRetainedWalHigh\nmetric: cdcwatch_pg_slot_retained_wal_bytes\n"
        "above: 5GB\nseverity: critical\nsummary: \"Slot {{slot}} retains {{value}}\"\nstage: "
        "source\n"
        "runbook: runbooks/slot-retained-wal-high.md\n",
        "rules.yml"))};
    setup.alerts.min_time_before_resolve = Millis(0);
    setup.alerts.retrigger_interval = retrigger_interval;
    PagerDutyConfig pd;
    pd.routing_key = {"R0UT1NGKEY0123456789abcdef012345", "<redacted>"};
    pd.url = pagerduty.url();
    setup.notifiers.pagerduty = pd;
    setup.notifiers.retry_max_delay = Millis(1000);
    setup.state_dir = state_dir;
    setup.maintenance = std::move(maintenance);
    engine = std::make_unique<AlertingEngine>(
        setup, store, [] { return true; }, clock);
    engine->start();
  }
  void report(double bytes, std::optional<double> audit_slot_bytes = std::nullopt) {
    Readings readings;
    readings.set(kWal, {{"source", "orders"}, {"slot", "debezium"}}, bytes);
    if (audit_slot_bytes)
      readings.set(kWal, {{"source", "orders"}, {"slot", "audit"}}, *audit_slot_bytes);
    store.publish("pg_slots/orders", std::move(readings));
  }
  void silence(const std::string& id, const std::string& match, Millis lasting) {
    std::vector<Silence> silences = read_silences(silence_file_path(setup.state_dir));
    silences.push_back(
        {id, parse_matcher(match), clock.now(), clock.now() + lasting, "", clock.now()});
    write_silences(silence_file_path(setup.state_dir), silences, clock.now());
  }
  // Pages decided and not delivered: while PagerDuty is held down, every page decided.
  size_t undelivered() const {
    return engine->status_json()["notifiers"][0]["queued"].get<size_t>();
  }
  void hold_pagerduty_down() { pagerduty.fail_next(503, 1'000'000); }
  std::optional<double> silenced() const {
    return engine->readings().value("cdcwatch_alert_silenced", kWalAlert);
  }
  nlohmann::json active() const { return engine->status_json()["active"]; }

  testing::PagerDutyServer pagerduty;
  AlertingSetup setup;
  ReadingsStore store;
  FakeClock clock;
  std::unique_ptr<AlertingEngine> engine;
};

TEST(SilencedPaging, ASilenceHoldsThePageAndAStillFiringAlertPagesWhenItEnds) {
  testing::TempDir dir;
  Paging p(dir.path());
  p.hold_pagerduty_down();
  p.silence("s1", "alert=CdcSlotRetainedWalHigh,slot=debezium", Millis(3600000));
  p.report(6e9);
  p.engine->evaluate();
  ASSERT_EQ(p.active().size(), 1u);
  EXPECT_EQ(p.active()[0]["state"], "firing");
  EXPECT_EQ(p.active()[0]["suppressed_by"]["silence"], "s1");
  EXPECT_EQ(p.silenced(), 1);
  EXPECT_EQ(p.engine->readings().value("cdcwatch_alert_state", kWalAlert), 2);
  EXPECT_EQ(p.undelivered(), 0u);

  p.clock.advance(59min);
  p.engine->evaluate();
  EXPECT_EQ(p.undelivered(), 0u);
  p.clock.advance(1min);  // the silence ends; the WAL is still high
  p.engine->evaluate();
  EXPECT_EQ(p.silenced(), 0);
  EXPECT_EQ(p.undelivered(), 1u);
  p.pagerduty.clear_scripted();
  ASSERT_TRUE(eventually([&] { return p.pagerduty.accepted().size() == 1; }));
  EXPECT_EQ(p.pagerduty.accepted()[0]["event_action"], "trigger");
  EXPECT_EQ(p.pagerduty.accepted()[0]["dedup_key"],
            "CdcSlotRetainedWalHigh:slot=debezium,source=orders");
}

TEST(SilencedPaging, ASilenceAddedDuringAnIncidentNeitherResolvesNorRetriggersIt) {
  testing::TempDir dir;
  Paging p(dir.path());
  p.report(6e9);
  p.engine->evaluate();
  ASSERT_TRUE(
      eventually([&] { return p.pagerduty.accepted().size() == 1 && p.undelivered() == 0; }));
  p.hold_pagerduty_down();
  p.silence("s2", "source=orders", Millis(3600000));
  for (int i = 0; i < 4; ++i) {  // past two retrigger intervals
    p.clock.advance(5min);
    p.engine->evaluate();
    EXPECT_EQ(p.undelivered(), 0u) << "no re-trigger and no resolve while silenced";
  }
  ASSERT_EQ(p.pagerduty.incidents().size(), 1u);
  EXPECT_TRUE(p.pagerduty.incidents()[0].open);
  EXPECT_EQ(p.active()[0]["suppressed_by"]["silence"], "s2");

  p.report(1e9);  // recovered while silenced: the open incident resolves
  p.clock.advance(1min);
  p.engine->evaluate();
  EXPECT_EQ(p.undelivered(), 1u);
  p.pagerduty.clear_scripted();
  ASSERT_TRUE(eventually([&] { return p.pagerduty.accepted().size() == 2; }));
  EXPECT_EQ(p.pagerduty.accepted()[1]["event_action"], "resolve") << "no re-trigger in between";
  EXPECT_FALSE(p.pagerduty.incidents()[0].open);
}

TEST(SilencedPaging, AMaintenanceWindowHoldsThePageUntilItCloses) {
  testing::TempDir dir;
  ConfigNode root = ConfigNode::load_string(R"(maintenance:
  - name: wal-archive-move
    match: source=orders
    start: 2023-11-14T22:00:00Z
    end: 2023-11-15T00:00:00Z
)",
                                            "cdcwatch.yml");
  Paging p(dir.path(), parse_maintenance(root.child("maintenance").items()));
  p.hold_pagerduty_down();
  p.clock.set(TimePoint(1'700'000'000s));  // 2023-11-14T22:13:20Z
  p.report(6e9);
  p.engine->evaluate();
  EXPECT_EQ(p.active()[0]["suppressed_by"]["maintenance"], "wal-archive-move");
  EXPECT_EQ(p.undelivered(), 0u);
  p.clock.set(TimePoint(1'700'006'400s));  // 2023-11-15T00:00:00Z
  p.engine->evaluate();
  EXPECT_EQ(p.undelivered(), 1u);
  p.pagerduty.clear_scripted();
  ASSERT_TRUE(eventually([&] { return p.pagerduty.accepted().size() == 1; }));
  EXPECT_EQ(p.pagerduty.accepted()[0]["event_action"], "trigger");
}

// A held-back alert was never paged, so it is not remembered as paged: after a restart it fires
// afresh and pages once its silence is over (a day's retrigger interval: no re-trigger could
// stand in for the page).
TEST(SilencedPaging, AnAlertHeldBackBeforeARestartPagesAfterItWhenTheSilenceEnds) {
  testing::TempDir dir;
  const Millis day(86'400'000);
  {
    Paging p(dir.path(), {}, day);
    p.hold_pagerduty_down();
    p.silence("s3", "slot=debezium", Millis(600000));
    p.report(6e9, 7e9);  // the audit slot pages, which saves the firing alerts
    p.engine->evaluate();
    EXPECT_EQ(p.silenced(), 1);
    EXPECT_EQ(p.undelivered(), 1u) << "only the audit slot's page";
  }
  Paging p(dir.path(), {}, day);
  p.hold_pagerduty_down();
  p.clock.advance(5min);
  p.report(6e9, 7e9);
  p.engine->evaluate();
  EXPECT_EQ(p.silenced(), 1) << "still silenced after the restart";
  EXPECT_EQ(p.undelivered(), 1u) << "the audit slot's trigger, from the outbox";
  p.clock.advance(6min);
  p.engine->evaluate();
  EXPECT_EQ(p.undelivered(), 2u) << "not remembered as paged, so it pages now";
  p.pagerduty.clear_scripted();
  ASSERT_TRUE(eventually([&] {
    return p.pagerduty.has_event("CdcSlotRetainedWalHigh", "trigger") && p.undelivered() == 0;
  }));
  EXPECT_EQ(p.pagerduty.accepted().back()["dedup_key"],
            "CdcSlotRetainedWalHigh:slot=debezium,source=orders");
}

}  // namespace
}  // namespace cdcwatch
