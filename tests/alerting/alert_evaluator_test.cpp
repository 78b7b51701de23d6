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
                   EvaluatorOptions options = {Millis(0), Millis(600000)})
      : evaluator(std::move(rules), options) {}

  void report(const std::string& metric, Labels labels, double value) {
    Readings readings;
    static std::vector<std::unique_ptr<std::string>> names;  // MetricDef holds const char*
    names.push_back(std::make_unique<std::string>(metric));
    readings.set(MetricDef{names.back()->c_str(), "test"}, std::move(labels), value);
    store.publish("probe", std::move(readings));
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
  Harness h({rule_from("alert: A\nmetric: m\nabove: 1\n")}, {Millis(0), Millis(600000)});
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
