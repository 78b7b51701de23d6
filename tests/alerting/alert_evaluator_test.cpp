// The alert state machine, driven by readings and a fake clock; and every default rule, driven
// through its own metric, fires and resolves.
#include "agent/alerting/alert_evaluator.h"

#include <gtest/gtest.h>

#include "agent/alerting/rule_set.h"
#include "agent/core/readings_store.h"

namespace cdcwatch {
namespace {

using namespace std::chrono_literals;

AlertRule rule_from(const std::string& yaml) {
  return parse_alert_rule(ConfigNode::load_string(yaml, "rules.yml"));
}

struct Harness {
  explicit Harness(std::vector<AlertRule> rules,
                   EvaluatorOptions options = {Millis(0), Millis(600000), Millis(86400000)})
      : evaluator(std::move(rules), options) {}

  struct Reading {
    std::string metric;
    Labels labels;
    double value;
  };
  void report(const std::string& metric, Labels labels, double value) {
    publish("probe", {{metric, std::move(labels), value}});
  }
  void publish(const std::string& probe, const std::vector<Reading>& series) {
    Readings readings;
    static std::vector<std::unique_ptr<std::string>> names;  // MetricDef holds const char*
    for (const auto& [metric, labels, value] : series) {
      names.push_back(std::make_unique<std::string>(metric));
      readings.set(MetricDef{names.back()->c_str(), "test"}, labels, value);
    }
    store.publish(probe, std::move(readings));
  }
  void clear() { store.publish("probe", Readings{}); }
  std::vector<AlertEvent> tick(Millis advance = Millis(0), bool complete = true) {
    clock.advance(advance);
    return evaluator.evaluate(store, clock.now(), complete);
  }

  ReadingsStore store;
  FakeClock clock;
  AlertEvaluator evaluator;
};

TEST(AlertEvaluator, PendingForTheForDurationThenFiringOnceThenResolved) {
  Harness h(
      {rule_from("alert: WalHigh\nmetric: wal_bytes\nabove: 100\nfor: 5m\n"
                 "summary: \"{{slot}} at {{value}}\"\nseverity: critical\n")});
  h.report("wal_bytes", {{"slot", "s1"}}, 150);
  EXPECT_TRUE(h.tick().empty());
  EXPECT_EQ(
      h.evaluator.state_readings().value(
          "cdcwatch_alert_state", {{"alert", "WalHigh"}, {"severity", "critical"}, {"slot", "s1"}}),
      1);
  EXPECT_TRUE(h.tick(4min).empty());
  auto fired = h.tick(1min);
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0].action, AlertEvent::Action::kTrigger);
  EXPECT_EQ(fired[0].summary, "s1 at 150B");
  EXPECT_EQ(fired[0].dedup_key, "WalHigh:slot=s1");
  EXPECT_TRUE(h.tick(1min).empty()) << "no second page while it keeps firing";
  h.report("wal_bytes", {{"slot", "s1"}}, 50);
  auto resolved = h.tick(15s);
  ASSERT_EQ(resolved.size(), 1u);
  EXPECT_EQ(resolved[0].action, AlertEvent::Action::kResolve);
  EXPECT_EQ(resolved[0].dedup_key, fired[0].dedup_key);
  EXPECT_EQ(h.evaluator.state_readings().value("cdcwatch_alert_state",
                                               {{"alert", "WalHigh"}, {"severity", "critical"}}),
            0);
}

TEST(AlertEvaluator, ABlipShorterThanForNeverPages) {
  Harness h({rule_from("alert: A\nmetric: m\nabove: 1\nfor: 1m\n")});
  h.report("m", {}, 2);
  h.tick();
  h.report("m", {}, 0);
  EXPECT_TRUE(h.tick(30s).empty());
  h.report("m", {}, 2);
  EXPECT_TRUE(h.tick(40s).empty()) << "the pending clock restarted";
}

TEST(AlertEvaluator, HysteresisHoldsBetweenClearAndThreshold) {
  Harness h({rule_from("alert: A\nmetric: m_bytes\nabove: 100\nclear: 80\n")});
  h.report("m_bytes", {}, 120);
  ASSERT_EQ(h.tick().size(), 1u);
  h.report("m_bytes", {}, 90);
  EXPECT_TRUE(h.tick(1min).empty());
  h.report("m_bytes", {}, 79);
  EXPECT_EQ(h.tick(1min).size(), 1u);
}

TEST(AlertEvaluator, KeepFiringForAndMinimumTimeBeforeResolveDampFlaps) {
  Harness h({rule_from("alert: A\nmetric: m\nabove: 1\nkeep_firing_for: 2m\n")},
            {Millis(300000), Millis(600000)});
  h.report("m", {}, 2);
  ASSERT_EQ(h.tick().size(), 1u);
  h.report("m", {}, 0);
  EXPECT_TRUE(h.tick(3min).empty()) << "resolve waits 5m after the trigger";
  auto resolved = h.tick(2min);
  ASSERT_EQ(resolved.size(), 1u);
  h.report("m", {}, 2);
  EXPECT_EQ(h.tick(1s).size(), 1u);
  h.report("m", {}, 0);
  EXPECT_TRUE(h.tick(1min).empty());
  h.report("m", {}, 2);
  EXPECT_TRUE(h.tick(1min).empty()) << "breach within keep_firing_for: still the same incident";
}

TEST(AlertEvaluator, VanishedSeriesIsHeldThenResolved) {
  Harness h({rule_from("alert: A\nmetric: m\nabove: 1\n")},
            {Millis(0), Millis(600000), Millis(86400000)});
  h.report("m", {{"slot", "s"}}, 2);
  ASSERT_EQ(h.tick().size(), 1u);
  h.clear();
  EXPECT_TRUE(h.tick(5min).empty()) << "a probe outage is not a recovery";
  auto resolved = h.tick(5min);
  ASSERT_EQ(resolved.size(), 1u);
  EXPECT_EQ(resolved[0].action, AlertEvent::Action::kResolve);
}

TEST(AlertEvaluator, AbsentFiresOnlyOnceEveryProbeHasReported) {
  Harness h(
      {rule_from("alert: Gone\nmetric: m\nmatch: {source: orders}\nabsent: true\nfor: 1m\n")});
  EXPECT_TRUE(h.tick(0s, false).empty());
  EXPECT_TRUE(h.tick(2min, false).empty());
  h.tick(0s, true);
  auto fired = h.tick(1min, true);
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0].dedup_key, "Gone:source=orders");
  h.report("m", {{"source", "orders"}}, 3);
  EXPECT_EQ(h.tick(1s).size(), 1u);
}

TEST(AlertEvaluator, RestoredFiringInstanceDoesNotPageAgain) {
  AlertRule rule = rule_from("alert: A\nmetric: m\nabove: 1\n");
  Harness h({rule});
  h.evaluator.restore({{"A", {{"slot", "s"}}, h.clock.now() - 1h}}, h.clock.now());
  h.report("m", {{"slot", "s"}}, 5);
  EXPECT_TRUE(h.tick(1s).empty());
  h.report("m", {{"slot", "s"}}, 0);
  auto resolved = h.tick(1s);
  ASSERT_EQ(resolved.size(), 1u);
  EXPECT_EQ(resolved[0].action, AlertEvent::Action::kResolve);
}

// A value on the bad side of the rule and one on the healthy side.
std::pair<double, double> breach_and_healthy(const AlertRule& rule) {
  switch (rule.condition) {
    case Condition::kAbove:
      return {rule.threshold * 2 + 1, rule.clear ? *rule.clear - 1 : rule.threshold - 1};
    case Condition::kBelow:
      return {rule.threshold / 2, rule.threshold * 2 + 1};
    default:
      return {rule.threshold, rule.threshold == 0 ? 1 : 0};
  }
}

TEST(DefaultRules, EveryRuleFiresOnItsMetricAndResolves) {
  auto rules = default_rules();
  ASSERT_GE(rules.size(), 20u);
  for (const auto& rule : rules) {
    SCOPED_TRACE(rule.alert);
    Harness h({rule}, {Millis(60000), Millis(600000)});
    Labels labels = rule.match;
    for (size_t at = rule.summary.find("{{"); at != std::string::npos;
         at = rule.summary.find("{{", at + 2)) {
      std::string name = rule.summary.substr(at + 2, rule.summary.find("}}", at) - at - 2);
      if (name != "value" && !label_value(labels, name)) labels.emplace_back(name, name + "-1");
    }
    auto [bad, good] = breach_and_healthy(rule);
    if (rule.condition != Condition::kAbsent) h.report(rule.metric, labels, bad);
    auto events = h.tick();
    if (rule.for_duration.count() > 0) {
      EXPECT_TRUE(events.empty());
      events = h.tick(rule.for_duration);
    }
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].action, AlertEvent::Action::kTrigger);
    EXPECT_EQ(events[0].alert, rule.alert);
    EXPECT_EQ(events[0].summary.find("{{"), std::string::npos) << events[0].summary;
    if (rule.condition != Condition::kAbsent) h.report(rule.metric, labels, good);
    auto resolved = h.tick(rule.keep_firing_for + 2min);
    ASSERT_EQ(resolved.size(), 1u);
    EXPECT_EQ(resolved[0].action, AlertEvent::Action::kResolve);
  }
}

}  // namespace
}  // namespace cdcwatch

namespace cdcwatch {
namespace {

using namespace std::chrono_literals;

std::vector<AlertRule> shipped(std::initializer_list<std::string_view> names) {
  std::vector<AlertRule> out;
  for (const auto& rule : default_rules()) {
    if (std::find(names.begin(), names.end(), rule.alert) != names.end()) out.push_back(rule);
  }
  return out;
}

// The consumer-lag probe's status family: 1 on the group's current status, 0 on the others.
void group_status(Harness& h, const std::string& status, double kafka_up = 1) {
  std::vector<Harness::Reading> series = {{"cdcwatch_kafka_up", {{"kafka", "main"}}, kafka_up}};
  for (const char* each : {"ok", "warning", "stall", "stop"}) {
    series.push_back({"cdcwatch_kafka_consumer_group_status",
                      {{"kafka", "main"}, {"group", "connect-sink"}, {"status", each}},
                      each == status ? 1.0 : 0.0});
  }
  h.publish("kafka_lag/main", series);
}

size_t count(const std::vector<AlertEvent>& events, AlertEvent::Action action) {
  return std::count_if(events.begin(), events.end(),
                       [&](const AlertEvent& e) { return e.action == action; });
}

// Fails on the code before #15 item 4: the stall resolved and the stop opened a second incident.
TEST(Escalation, AStallThatBecomesAStopKeepsItsIncidentUntilTheGroupHeals) {
  Harness h(shipped({"CdcConsumerGroupStalled", "CdcConsumerGroupStopped"}),
            {Millis(60000), Millis(600000)});
  group_status(h, "stall");
  auto stalled = h.tick();
  ASSERT_EQ(stalled.size(), 1u);
  EXPECT_EQ(stalled[0].alert, "CdcConsumerGroupStalled");
  const std::string key = stalled[0].dedup_key;
  EXPECT_EQ(key, "CdcConsumerGroupStalled:group=connect-sink,kafka=main,status=stall");

  group_status(h, "stop");
  auto stopped = h.tick(10s);
  ASSERT_EQ(stopped.size(), 1u) << "the escalation re-triggers, it resolves nothing";
  EXPECT_EQ(stopped[0].action, AlertEvent::Action::kTrigger);
  EXPECT_EQ(stopped[0].alert, "CdcConsumerGroupStopped");
  EXPECT_EQ(stopped[0].dedup_key, key);
  EXPECT_EQ(stopped[0].started_at, stalled[0].started_at);
  auto active = h.evaluator.status_json(h.clock.now());
  ASSERT_EQ(active.size(), 2u) << "/status still shows each rule on its own";
  for (const auto& entry : active) EXPECT_EQ(entry["dedup_key"], key) << entry["alert"];
  for (int minute = 0; minute < 4; ++minute) {
    EXPECT_EQ(count(h.tick(1min), AlertEvent::Action::kResolve), 0u)
        << "the stall's own condition cleared, but the group is still stopped";
  }
  group_status(h, "ok");
  auto healed = h.tick(10s);
  ASSERT_EQ(healed.size(), 1u);
  EXPECT_EQ(healed[0].action, AlertEvent::Action::kResolve);
  EXPECT_EQ(healed[0].dedup_key, key);
  EXPECT_TRUE(h.tick(10min).empty());
}

TEST(Escalation, AStopSeenFirstPagesUnderTheChainsKeySoReplicasAgree) {
  Harness h(shipped({"CdcConsumerGroupStalled", "CdcConsumerGroupStopped"}));
  group_status(h, "stop");
  auto stopped = h.tick();
  ASSERT_EQ(stopped.size(), 1u);
  EXPECT_EQ(stopped[0].alert, "CdcConsumerGroupStopped");
  EXPECT_EQ(stopped[0].dedup_key,
            "CdcConsumerGroupStalled:group=connect-sink,kafka=main,status=stall");
}

TEST(Escalation, AWarningThatBecomesCriticalRaisesTheSeverityAndResolvesEveryRoutingOnce) {
  Harness h(shipped({"CdcCanaryStaleAtWarehouse", "CdcCanaryStaleAtWarehouseCritical"}));
  Labels labels = {{"canary", "orders"}, {"stage", "warehouse"}};
  h.report("cdcwatch_canary_freshness_seconds", labels, 90);
  auto warning = h.tick();
  ASSERT_EQ(warning.size(), 1u);
  EXPECT_EQ(warning[0].severity, "warning");
  h.report("cdcwatch_canary_freshness_seconds", labels, 400);
  auto critical = h.tick(5min);
  ASSERT_EQ(critical.size(), 1u);
  EXPECT_EQ(critical[0].action, AlertEvent::Action::kTrigger);
  EXPECT_EQ(critical[0].severity, "critical");
  EXPECT_EQ(critical[0].alert, "CdcCanaryStaleAtWarehouseCritical");
  EXPECT_EQ(critical[0].dedup_key, warning[0].dedup_key);
  h.report("cdcwatch_canary_freshness_seconds", labels, 120);
  auto lowered = h.tick(1min);
  ASSERT_EQ(lowered.size(), 1u) << "back to a warning: the same incident, lower severity";
  EXPECT_EQ(lowered[0].action, AlertEvent::Action::kTrigger);
  EXPECT_EQ(lowered[0].severity, "warning");
  h.report("cdcwatch_canary_freshness_seconds", labels, 5);
  auto resolved = h.tick(1min);
  ASSERT_EQ(count(resolved, AlertEvent::Action::kResolve), 2u)
      << "one resolve per severity paged: per-severity routing keys each got a trigger";
  for (const auto& event : resolved) EXPECT_EQ(event.dedup_key, warning[0].dedup_key);
}

TEST(Escalation, ChainsAreCheckedAtLoad) {
  AlertsConfig config;
  config.rules.push_back(rule_from("alert: Worse\nmetric: m\nabove: 2\nescalates: NoSuchRule\n"));
  EXPECT_THROW(build_rule_set(config, "cdcwatch.yml"), ConfigError);
  config.rules = {rule_from("alert: A\nmetric: m\nabove: 1\nescalates: B\n"),
                  rule_from("alert: B\nmetric: m\nabove: 2\nescalates: A\n")};
  EXPECT_THROW(build_rule_set(config, "cdcwatch.yml"), ConfigError);
  config.rules = {};
  config.disable = {"CdcConsumerGroupStalled"};
  auto rules = build_rule_set(config, "cdcwatch.yml");
  auto stopped = std::find_if(rules.begin(), rules.end(), [](const AlertRule& r) {
    return r.alert == "CdcConsumerGroupStopped";
  });
  ASSERT_NE(stopped, rules.end());
  EXPECT_TRUE(stopped->escalates.empty()) << "disabling the lesser rule leaves the greater alone";
}

// #15 item 10: replicas that disagree converge on PagerDuty's open incident.
TEST(Retrigger, AFiringIncidentIsReTriggeredEveryIntervalAndNoMore) {
  Harness h({rule_from("alert: A\nmetric: m\nabove: 1\n")}, {Millis(0), Millis(600000), 5min});
  h.report("m", {}, 2);
  ASSERT_EQ(h.tick().size(), 1u);
  EXPECT_TRUE(h.tick(4min).empty());
  auto again = h.tick(1min);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].action, AlertEvent::Action::kTrigger);
  EXPECT_TRUE(h.tick(4min).empty());
  EXPECT_EQ(h.tick(1min).size(), 1u);
}

// #15 item 2: fails on the old code, which resolved after missing_data_hold while blind.
TEST(Unknown, AFiringAlertHoldsWhileItsObserverIsBlind) {
  Harness h(shipped({"CdcSlotRetainedWalHigh"}), {Millis(0), Millis(600000)});
  // The shipped rule reads the retained WAL with its cause (issue 19).
  Labels slot = {{"source", "orders"}, {"slot", "debezium"}, {"cause", "consumer_down"}};
  h.publish("pg_slots/orders", {{"cdcwatch_pg_up", {{"source", "orders"}}, 1},
                                {"cdcwatch_pg_slot_retained_wal_by_cause_bytes", slot, 6e9}});
  ASSERT_TRUE(h.tick().empty());
  ASSERT_EQ(h.tick(5min).size(), 1u);
  h.publish("pg_slots/orders", {{"cdcwatch_pg_up", {{"source", "orders"}}, 0}});
  for (int hour = 0; hour < 24; ++hour) {
    EXPECT_EQ(count(h.tick(1h), AlertEvent::Action::kResolve), 0u)
        << "the source cannot be read: the alert holds";
  }
  auto status = h.evaluator.status_json(h.clock.now());
  EXPECT_EQ(status[0]["observer_blind"], true);
  h.publish("pg_slots/orders", {{"cdcwatch_pg_up", {{"source", "orders"}}, 1},
                                {"cdcwatch_pg_slot_retained_wal_by_cause_bytes", slot, 1e9}});
  auto resolved = h.tick(1s);
  ASSERT_EQ(resolved.size(), 1u);
  EXPECT_EQ(resolved[0].action, AlertEvent::Action::kResolve);
}

TEST(Unknown, ASeriesGoneFromASystemInSightResolvesAfterTheHold) {
  Harness h(shipped({"CdcSlotInactive"}), {Millis(0), Millis(600000)});
  Labels slot = {{"source", "orders"}, {"slot", "old_slot"}};
  h.publish("pg_slots/orders", {{"cdcwatch_pg_up", {{"source", "orders"}}, 1},
                                {"cdcwatch_pg_slot_inactive_seconds", slot, 3600}});
  ASSERT_EQ(h.tick().size(), 1u);
  h.publish("pg_slots/orders", {{"cdcwatch_pg_up", {{"source", "orders"}}, 0}});
  EXPECT_EQ(count(h.tick(30min), AlertEvent::Action::kResolve), 0u)
      << "blind: held, and the hold has not started";
  // The DBA dropped the slot: the source answers, the slot is gone.
  h.publish("pg_slots/orders", {{"cdcwatch_pg_up", {{"source", "orders"}}, 1}});
  EXPECT_EQ(count(h.tick(9min), AlertEvent::Action::kResolve), 0u)
      << "missing_data_hold counts from when sight returned";
  auto resolved = h.tick(1min);
  ASSERT_EQ(resolved.size(), 1u);
  EXPECT_EQ(resolved[0].action, AlertEvent::Action::kResolve);
}

TEST(Unknown, AnAbsentRuleIsNotJudgedWhileItsObserverIsBlind) {
  Harness h(
      {rule_from("alert: NoHeartbeat\nmetric: hb\nmatch: {source: orders}\nabsent: true\n"
                 "observer: cdcwatch_pg_up\n")});
  h.publish("pg", {{"cdcwatch_pg_up", {{"source", "orders"}}, 0}});
  EXPECT_TRUE(h.tick(1h).empty()) << "cdcwatch cannot see: absence proves nothing";
  h.publish("pg", {{"cdcwatch_pg_up", {{"source", "orders"}}, 1}});
  ASSERT_EQ(h.tick(1s).size(), 1u) << "seen and absent";
  h.publish("pg", {{"cdcwatch_pg_up", {{"source", "orders"}}, 0}});
  EXPECT_EQ(count(h.tick(1h), AlertEvent::Action::kResolve), 0u)
      << "blind again: the firing alert holds";
}

}  // namespace
}  // namespace cdcwatch
