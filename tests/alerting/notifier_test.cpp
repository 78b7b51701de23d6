// Pages end to end through the alerting engine to a local PagerDuty Events API v2 and an
// Alertmanager-style webhook receiver, with the peers' failures the issue names.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "agent/alerting/alerting_engine.h"
#include "agent/alerting/pagerduty_notifier.h"
#include "agent/alerting/rule_set.h"
#include "agent/core/readings_store.h"
#include "tests/alerting/paging_rig.h"
#include "tests/support/child_process.h"
#include "tests/support/eventually.h"
#include "tests/support/pagerduty_server.h"

namespace cdcwatch {
namespace {

using namespace std::chrono_literals;

const MetricDef kWal{"cdcwatch_pg_slot_retained_wal_bytes", "test"};

using testing::eventually;

AlertRule wal_rule(Severity severity = Severity::kCritical) {
  AlertRule rule = parse_alert_rule(ConfigNode::load_string(
      "alert: CdcSlotRetainedWalHigh\nmetric: cdcwatch_pg_slot_retained_wal_bytes\nabove: 5GB\n"
      "summary: \"Slot {{slot}} on {{source}} retains {{value}} of WAL\"\nstage: source\n"
      "runbook: runbooks/slot-retained-wal-high.md\n",
      "rules.yml"));
  rule.severity = severity;
  return rule;
}

struct Pipeline : PagingRig {
  explicit Pipeline(const std::string& state_dir, std::string routing_key = kRoutingKey,
                    std::vector<AlertRule> rules = {wal_rule()})
      : PagingRig(state_dir, std::move(routing_key), std::move(rules)) {}
  void report(double bytes) {
    Readings readings;
    readings.set(kWal, {{"source", "orders"}, {"slot", "debezium"}}, bytes);
    store.publish("pg_slots/orders", std::move(readings));
  }
};

TEST(PagerDuty, TriggerThenResolveWithTheSameKeyAndTheDocumentedFields) {
  testing::TempDir dir;
  Pipeline p(dir.path());
  auto engine = p.engine();
  engine->start();
  p.report(6.2e9);
  engine->evaluate();
  ASSERT_TRUE(eventually([&] { return p.pagerduty.accepted().size() == 1; }));
  nlohmann::json trigger = p.pagerduty.accepted()[0];
  EXPECT_EQ(trigger["routing_key"], kRoutingKey);
  EXPECT_EQ(trigger["event_action"], "trigger");
  EXPECT_EQ(trigger["dedup_key"], "CdcSlotRetainedWalHigh:slot=debezium,source=orders");
  EXPECT_EQ(trigger["payload"]["summary"], "Slot debezium on orders retains 6.2GB of WAL");
  EXPECT_EQ(trigger["payload"]["severity"], "critical");
  EXPECT_EQ(trigger["payload"]["source"], "source/orders");
  EXPECT_EQ(trigger["payload"]["component"], "source");
  EXPECT_EQ(trigger["payload"]["class"], "CdcSlotRetainedWalHigh");
  EXPECT_EQ(trigger["payload"]["custom_details"]["condition"], "above 5GB");
  EXPECT_EQ(trigger["payload"]["custom_details"]["labels"]["slot"], "debezium");
  EXPECT_EQ(trigger["links"][0]["href"],
            "https://runbooks.example/cdcwatch/runbooks/slot-retained-wal-high.md");
  EXPECT_EQ(trigger["links"][1]["href"], "https://grafana.example/d/cdcwatch-overview");

  p.report(1e9);
  p.clock.advance(30s);
  engine->evaluate();
  EXPECT_TRUE(eventually([&] { return p.pagerduty.accepted().size() == 1; }));
  p.clock.advance(31s);
  engine->evaluate();
  ASSERT_TRUE(eventually([&] { return p.pagerduty.accepted().size() == 2; }))
      << "resolve after min_time_before_resolve";
  nlohmann::json resolve = p.pagerduty.accepted()[1];
  EXPECT_EQ(resolve["event_action"], "resolve");
  EXPECT_EQ(resolve["dedup_key"], trigger["dedup_key"]);
  ASSERT_EQ(p.pagerduty.incidents().size(), 1u);
  EXPECT_FALSE(p.pagerduty.incidents()[0].open);

  ASSERT_TRUE(eventually([&] { return p.hook_bodies().size() == 2; }));
  auto hooks = p.hook_bodies();
  EXPECT_EQ(hooks[0]["version"], "4");
  EXPECT_EQ(hooks[0]["status"], "firing");
  EXPECT_EQ(hooks[0]["alerts"][0]["labels"]["alertname"], "CdcSlotRetainedWalHigh");
  EXPECT_EQ(hooks[0]["alerts"][0]["annotations"]["runbook_url"],
            "https://runbooks.example/cdcwatch/runbooks/slot-retained-wal-high.md");
  EXPECT_EQ(hooks[1]["status"], "resolved");
  EXPECT_EQ(hooks[1]["alerts"][0]["fingerprint"], hooks[0]["alerts"][0]["fingerprint"]);

  // The worker takes the resolve off its queue just after PagerDuty answered it.
  EXPECT_TRUE(eventually([&] {
    return engine->readings().value("cdcwatch_notification_queue_depth",
                                    {{"notifier", "pagerduty"}}) == 0;
  }));
  Readings metrics = engine->readings();
  EXPECT_EQ(
      metrics.value("cdcwatch_notifications_total",
                    {{"notifier", "pagerduty"}, {"event", "trigger"}, {"result", "delivered"}}),
      1);
}

TEST(PagerDuty, ThrottledAndFailingAnswersAreRetriedInOrder) {
  testing::TempDir dir;
  Pipeline p(dir.path());
  p.pagerduty.fail_next(429, 1);
  p.pagerduty.fail_next(500, 1);
  auto engine = p.engine();
  engine->start();
  p.report(6e9);
  engine->evaluate();
  p.report(0);
  p.clock.advance(2min);
  engine->evaluate();
  ASSERT_TRUE(eventually([&] { return p.pagerduty.accepted().size() == 2; }));
  EXPECT_EQ(p.pagerduty.answered_count(429), 1);
  EXPECT_EQ(p.pagerduty.answered_count(500), 1);
  EXPECT_EQ(p.pagerduty.accepted()[0]["event_action"], "trigger") << "resolve never overtakes";
  EXPECT_EQ(p.pagerduty.accepted()[1]["event_action"], "resolve");
  Readings metrics = engine->readings();
  EXPECT_EQ(metrics.value("cdcwatch_notifications_total",
                          {{"notifier", "pagerduty"}, {"event", "trigger"}, {"result", "retry"}}),
            2);
}

TEST(PagerDuty, ARejectedEventIsCountedAndNotRetried) {
  testing::TempDir dir;
  Pipeline p(dir.path(), "too-short-routing-key");
  auto engine = p.engine();
  engine->start();
  p.report(6e9);
  engine->evaluate();
  ASSERT_TRUE(eventually([&] {
    return engine->readings().value(
               "cdcwatch_notifications_total",
               {{"notifier", "pagerduty"}, {"event", "trigger"}, {"result", "rejected"}}) == 1;
  }));
  EXPECT_EQ(p.pagerduty.rejected_count(), 1);
  EXPECT_EQ(
      engine->readings().value("cdcwatch_notification_queue_depth", {{"notifier", "pagerduty"}}),
      0);
  std::string status = engine->status_json().dump();
  EXPECT_NE(status.find("Length of 'routing_key' is incorrect"), std::string::npos) << status;
}

TEST(PagerDuty, AnswersAreDescribedFromTheirDocumentedFields) {
  EXPECT_EQ(describe_pagerduty_answer(
                400, R"({"status":"invalid event","message":"Event object is invalid",)"
                     R"("errors":["'payload.severity' is missing"]})"),
            "HTTP 400 invalid event: Event object is invalid ('payload.severity' is missing)");
  EXPECT_EQ(describe_pagerduty_answer(
                202, R"({"status":"success","message":"Event processed","dedup_key":"k"})"),
            "HTTP 202 success: Event processed");
  EXPECT_EQ(describe_pagerduty_answer(502, "<html>Bad Gateway</html>"),
            "HTTP 502 <html>Bad Gateway</html>");
}

TEST(PagerDuty, RoutingKeyFollowsSeverity) {
  testing::TempDir dir;
  Pipeline p(dir.path(), kRoutingKey, {wal_rule(Severity::kWarning)});
  auto engine = p.engine();
  engine->start();
  p.report(6e9);
  engine->evaluate();
  ASSERT_TRUE(eventually([&] { return p.pagerduty.accepted().size() == 1; }));
  EXPECT_EQ(p.pagerduty.accepted()[0]["routing_key"], kWarningKey);
}

TEST(PagerDuty, APagePendingAtStopIsDeliveredOnceAfterRestartWithoutRePaging) {
  testing::TempDir dir;
  Pipeline p(dir.path());
  p.pagerduty.fail_next(503, 1000);
  p.report(6e9);
  {
    auto engine = p.engine();
    engine->start();
    engine->evaluate();
    ASSERT_TRUE(eventually([&] { return p.pagerduty.answered_count(503) >= 1; }));
    EXPECT_EQ(
        engine->readings().value("cdcwatch_notification_queue_depth", {{"notifier", "pagerduty"}}),
        1);
    p.clock.advance(10min);
    EXPECT_EQ(engine->readings().value("cdcwatch_notification_oldest_pending_seconds",
                                       {{"notifier", "pagerduty"}}),
              600);
  }
  p.pagerduty.clear_scripted();
  auto restarted = p.engine();
  restarted->start();
  for (int i = 0; i < 5; ++i) restarted->evaluate();
  ASSERT_TRUE(eventually([&] {
    return restarted->readings().value("cdcwatch_notification_queue_depth",
                                       {{"notifier", "pagerduty"}}) == 0;
  }));
  restarted->evaluate();
  restarted->stop();
  ASSERT_EQ(p.pagerduty.accepted().size(), 1u) << "delivered once, not re-paged";
  EXPECT_EQ(p.pagerduty.incidents().at(0).triggers, 1);
  EXPECT_EQ(
      restarted->readings().value("cdcwatch_alert_state", {{"alert", "CdcSlotRetainedWalHigh"},
                                                           {"severity", "critical"},
                                                           {"slot", "debezium"},
                                                           {"source", "orders"}}),
      2)
      << "still firing after the restart";
}

TEST(PagerDuty, TwoReplicasOpenOneIncident) {
  testing::TempDir first, second;
  Pipeline p(first.path());
  auto a = p.engine();
  p.setup.state_dir = second.path();
  auto b = p.engine();
  a->start();
  b->start();
  p.report(6e9);
  a->evaluate();
  b->evaluate();
  ASSERT_TRUE(eventually([&] { return p.pagerduty.accepted().size() == 2; }));
  ASSERT_EQ(p.pagerduty.incidents().size(), 1u);
  EXPECT_EQ(p.pagerduty.incidents()[0].triggers, 2);
}

const MetricDef kGroupStatus{"cdcwatch_kafka_consumer_group_status", "test"};

void group_status(ReadingsStore& store, const std::string& status) {
  Readings readings;
  for (const char* each : {"ok", "warning", "stall", "stop"}) {
    readings.set(kGroupStatus, {{"kafka", "main"}, {"group", "connect-sink"}, {"status", each}},
                 each == status ? 1 : 0);
  }
  store.publish("kafka_lag/main", std::move(readings));
}

std::vector<AlertRule> group_rules() {
  std::vector<AlertRule> out;
  for (const auto& rule : default_rules()) {
    if (rule.alert.starts_with("CdcConsumerGroupSt")) out.push_back(rule);
  }
  return out;
}

// #15 item 4; on the old code PagerDuty saw a resolve and a second incident.
TEST(PagerDuty, AStallThatBecomesAStopIsOneIncidentUntilTheGroupHeals) {
  testing::TempDir dir;
  Pipeline p(dir.path(), kRoutingKey, group_rules());
  auto engine = p.engine();
  engine->start();
  group_status(p.store, "stall");
  engine->evaluate();
  ASSERT_TRUE(eventually([&] { return p.pagerduty.accepted().size() == 1; }));
  group_status(p.store, "stop");
  p.clock.advance(30s);
  engine->evaluate();
  ASSERT_TRUE(eventually([&] { return p.pagerduty.accepted().size() == 2; }));
  for (int i = 0; i < 4; ++i) {
    p.clock.advance(1min);
    engine->evaluate();
  }
  group_status(p.store, "ok");
  p.clock.advance(10s);
  engine->evaluate();
  ASSERT_TRUE(eventually([&] { return p.pagerduty.accepted().size() == 3; }));
  engine->stop();

  auto events = p.pagerduty.accepted();
  EXPECT_EQ(events[0]["event_action"], "trigger");
  EXPECT_EQ(events[1]["event_action"], "trigger") << "no resolve while the group is broken";
  EXPECT_EQ(events[1]["payload"]["class"], "CdcConsumerGroupStopped");
  EXPECT_EQ(events[2]["event_action"], "resolve");
  ASSERT_EQ(p.pagerduty.incidents().size(), 1u);
  auto incident = p.pagerduty.incidents()[0];
  EXPECT_EQ(incident.classes,
            (std::vector<std::string>{"CdcConsumerGroupStalled", "CdcConsumerGroupStopped"}));
  EXPECT_FALSE(incident.open);
  EXPECT_TRUE(p.pagerduty.has_event("CdcConsumerGroupStopped", "resolve"));
}

// #15 item 10: replica A heals early and resolves; B, still firing, reopens at its next
// re-trigger. On the old code the incident stayed closed while B fired.
TEST(PagerDuty, TwoReplicasOneHealedEarlyEndWithTheIncidentOpen) {
  testing::TempDir first, second;
  Pipeline p(first.path());
  p.setup.alerts.retrigger_interval = Millis(300000);
  ReadingsStore healed_view;
  auto a = p.engine_on(healed_view);
  p.setup.state_dir = second.path();
  auto b = p.engine();
  a->start();
  b->start();
  Readings breach;
  breach.set(kWal, {{"source", "orders"}, {"slot", "debezium"}}, 6e9);
  healed_view.publish("pg_slots/orders", breach);
  p.report(6e9);
  a->evaluate();
  b->evaluate();
  ASSERT_TRUE(eventually([&] { return p.pagerduty.accepted().size() == 2; }));

  Readings healthy;
  healthy.set(kWal, {{"source", "orders"}, {"slot", "debezium"}}, 1e9);
  healed_view.publish("pg_slots/orders", healthy);
  p.clock.advance(2min);
  a->evaluate();
  b->evaluate();
  ASSERT_TRUE(eventually([&] { return p.pagerduty.accepted().size() == 3; }));
  ASSERT_FALSE(p.pagerduty.incidents().back().open) << "A's resolve closed it";

  p.clock.advance(3min);
  a->evaluate();
  b->evaluate();
  ASSERT_TRUE(eventually([&] { return p.pagerduty.accepted().size() == 4; }));
  a->stop();
  b->stop();
  auto incidents = p.pagerduty.incidents();
  ASSERT_EQ(incidents.size(), 2u);
  EXPECT_EQ(incidents[1].dedup_key, incidents[0].dedup_key);
  EXPECT_TRUE(incidents[1].open) << "B still fires: its re-trigger reopened the incident";
  EXPECT_EQ(p.pagerduty.accepted().size(), 4u) << "A, healed, sends nothing more";
}

void report_slots(ReadingsStore& store, double first_bytes, double second_bytes) {
  Readings readings;
  readings.set(kWal, {{"source", "orders"}, {"slot", "first"}}, first_bytes);
  readings.set(kWal, {{"source", "orders"}, {"slot", "second"}}, second_bytes);
  store.publish("pg_slots/orders", std::move(readings));
}

// #23: on the old code a damaged firing.json left the first slot's incident open forever.
TEST(PagerDuty, ADamagedFiringFileIsQuarantinedAndClearIncidentsAreResolved) {
  testing::TempDir dir;
  Pipeline p(dir.path());
  report_slots(p.store, 6e9, 6e9);
  {
    auto engine = p.engine();
    engine->start();
    engine->evaluate();
    ASSERT_TRUE(eventually([&] { return p.pagerduty.accepted().size() == 2; }));
    ASSERT_TRUE(eventually([&] {
      return engine->readings().value("cdcwatch_notification_queue_depth",
                                      {{"notifier", "pagerduty"}}) == 0;
    }));
  }
  std::string firing = dir.path() + "/alerts/firing.json";
  std::string whole;
  std::getline(std::ifstream(firing), whole);
  ASSERT_GT(whole.size(), 10u);
  std::ofstream(firing, std::ios::trunc) << whole.substr(0, whole.size() / 2);

  report_slots(p.store, 1e9, 6e9);  // the first slot recovered while the agent was down
  p.clock.advance(2min);
  auto restarted = p.engine();
  restarted->start();
  restarted->evaluate();
  ASSERT_TRUE(eventually([&] {
    auto incidents = p.pagerduty.incidents();
    return incidents.size() == 2 && !incidents[0].open;
  }));
  restarted->evaluate();
  restarted->stop();
  auto incidents = p.pagerduty.incidents();
  EXPECT_EQ(incidents[0].dedup_key, "CdcSlotRetainedWalHigh:slot=first,source=orders");
  EXPECT_TRUE(incidents[1].open) << "the second slot still breaches: its incident stays open";
  EXPECT_TRUE(std::filesystem::exists(firing + ".corrupt"));
  EXPECT_EQ(restarted->readings().value("cdcwatch_state_file_quarantined_total", {}), 1);
  for (const auto& hook : p.hook_bodies()) {
    EXPECT_EQ(hook["status"], "firing")
        << "a webhook receiver never hears of a resolve the agent is not sure of";
  }
}

std::vector<AlertRule> shipped_rule(const std::string& name) {
  for (const auto& rule : default_rules()) {
    if (rule.alert == name) return {rule};
  }
  return {};
}

// On the old code the rule read a series only /metrics had, and never fired.
TEST(AgentRules, NotificationsFailingPagesThroughTheNotifiersThatStillWork) {
  testing::TempDir dir;
  auto rules = shipped_rule("CdcNotificationsFailing");
  rules.push_back(wal_rule());
  Pipeline p(dir.path(), kRoutingKey, rules);
  p.pagerduty.fail_next(503, 100000);
  auto engine = p.engine();
  engine->start();
  p.report(6e9);
  engine->evaluate();
  ASSERT_TRUE(eventually([&] { return p.pagerduty.answered_count(503) >= 1; }));
  p.clock.advance(6min);
  engine->evaluate();
  ASSERT_TRUE(eventually([&] {
    for (const auto& hook : p.hook_bodies()) {
      if (hook["alerts"][0]["labels"]["alertname"] == "CdcNotificationsFailing" &&
          hook["alerts"][0]["labels"]["notifier"] == "pagerduty") {
        return true;
      }
    }
    return false;
  }));
}

TEST(AgentRules, ProbeFailingReadsTheAgentsProbeHealth) {
  testing::TempDir dir;
  Pipeline p(dir.path(), kRoutingKey, shipped_rule("CdcProbeFailing"));
  auto engine = p.engine();
  engine->add_readings_source([] {
    Readings health;
    health.set({"cdcwatch_probe_up", "test"}, {{"probe", "pg_slots/orders"}}, 0);
    return health;
  });
  engine->start();
  engine->evaluate();
  p.clock.advance(5min);
  engine->evaluate();
  ASSERT_TRUE(eventually([&] { return p.pagerduty.accepted().size() == 1; }));
  EXPECT_EQ(p.pagerduty.accepted()[0]["dedup_key"], "CdcProbeFailing:probe=pg_slots/orders");
}

TEST(PagerDuty, UnwritableStateDirStillPagesAndSaysSo) {
  testing::TempDir dir;
  std::string blocker = dir.write("state", "a file, not a directory");
  Pipeline p(blocker);
  auto engine = p.engine();
  engine->start();
  p.report(6e9);
  engine->evaluate();
  ASSERT_TRUE(eventually([&] { return p.pagerduty.accepted().size() == 1; }));
  Readings metrics = engine->readings();
  EXPECT_EQ(metrics.value("cdcwatch_state_dir_writable", {}), 0);
  EXPECT_EQ(metrics.value("cdcwatch_notification_outbox_durable", {{"notifier", "pagerduty"}}), 0);
}

TEST(PagerDuty, SummaryIsCutTo1024BytesOnACharacterBoundary) {
  std::string text = std::string(1023, 'a') + "\xc3\xa9tail";
  std::string cut = truncate_utf8(text, 1024);
  EXPECT_EQ(cut.size(), 1023u);
  EXPECT_EQ(truncate_utf8("short", 1024), "short");
}

}  // namespace
}  // namespace cdcwatch
