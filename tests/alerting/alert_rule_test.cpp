// Rule files: parsing, the mistakes users make, summaries and dedup keys.
#include "agent/alerting/alert_rule.h"

#include <gtest/gtest.h>

#include "agent/alerting/alert_event.h"
#include "agent/alerting/rule_set.h"

namespace cdcwatch {
namespace {

AlertRule rule_from(const std::string& yaml) {
  return parse_alert_rule(ConfigNode::load_string(yaml, "rules.yml"));
}

std::string error_of(const std::string& yaml) {
  try {
    rule_from(yaml);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(AlertRule, ThresholdsInTheMetricsUnit) {
  AlertRule bytes = rule_from(
      "alert: A\nmetric: cdcwatch_pg_slot_retained_wal_bytes\nabove: 5GB\nclear: 4GB\nfor: 5m\n");
  EXPECT_EQ(bytes.threshold, 5e9);
  EXPECT_EQ(*bytes.clear, 4e9);
  EXPECT_EQ(bytes.for_duration, Millis(300000));
  EXPECT_EQ(describe_condition(bytes), "above 5GB (clears at 4GB)");
  AlertRule seconds = rule_from("alert: B\nmetric: x_seconds\nbelow: 1h\nseverity: critical\n");
  EXPECT_EQ(seconds.threshold, 3600);
  EXPECT_EQ(seconds.severity, Severity::kCritical);
  AlertRule plain = rule_from("alert: C\nmetric: x_ratio\nabove: 0.001\n");
  EXPECT_DOUBLE_EQ(plain.threshold, 0.001);
}

TEST(AlertRule, HysteresisKeepsFiringUntilTheClearValue) {
  AlertRule rule = rule_from("alert: A\nmetric: m_bytes\nabove: 100\nclear: 80\n");
  EXPECT_TRUE(rule.breached(101, false));
  EXPECT_FALSE(rule.breached(90, false));
  EXPECT_TRUE(rule.breached(90, true));
  EXPECT_FALSE(rule.breached(80, true));
}

TEST(AlertRule, MistakesNameTheLineAndTheFix) {
  EXPECT_NE(error_of("alert: A\nmetric: m\nabove: 1\nbelow: 2\n").find("exactly one condition"),
            std::string::npos);
  EXPECT_NE(error_of("alert: A\nmetric: m\n\nabove: 1\nseverity: page\n").find("rules.yml:5"),
            std::string::npos);
  EXPECT_NE(error_of("alert: A\nmetric: m\nabove: 5GB\n").find("not a number"), std::string::npos);
  EXPECT_NE(error_of("alert: A\nmetric: m_bytes\nabove: 5 gigs\n").find("not a size"),
            std::string::npos);
  EXPECT_NE(error_of("alert: A\nmetric: m\nabove: 5\nclear: 6\n").find("healthy side"),
            std::string::npos);
  EXPECT_NE(error_of("alert: A\nmetric: m\nabove: 5\nsumary: x\n").find("summary"),
            std::string::npos)
      << "did-you-mean";
  EXPECT_NE(error_of("alert: A\nmetric: m\nequals: 1\nclear: 0\n").find("only applies"),
            std::string::npos);
}

TEST(AlertRule, SummaryFillsLabelsAndValueInTheRulesUnit) {
  AlertRule rule = rule_from(
      "alert: A\nmetric: cdcwatch_pg_slot_retained_wal_bytes\nabove: 5GB\n"
      "summary: \"Slot {{slot}} on {{ source }} retains {{value}} ({{typo}})\"\n");
  EXPECT_EQ(render_summary(rule, {{"slot", "s1"}, {"source", "orders"}}, 6.2e9),
            "Slot s1 on orders retains 6.2GB ({{typo}})");
  AlertRule lag =
      rule_from("alert: B\nmetric: lag_seconds\nabove: 5m\nsummary: \"{{value}} behind\"\n");
  EXPECT_EQ(render_summary(lag, {}, 600), "10m behind");
}

TEST(DedupKey, SameForSameLabelsInAnyOrderAndBoundedInLength) {
  std::string a = dedup_key_for("CdcSlotLost", {{"source", "orders"}, {"slot", "s1"}});
  std::string b = dedup_key_for("CdcSlotLost", {{"slot", "s1"}, {"source", "orders"}});
  EXPECT_EQ(a, b);
  EXPECT_EQ(a, "CdcSlotLost:slot=s1,source=orders");
  EXPECT_NE(a, dedup_key_for("CdcSlotLost", {{"slot", "s2"}, {"source", "orders"}}));
  std::string long_key = dedup_key_for("A", {{"table", std::string(400, 'x')}});
  EXPECT_LE(long_key.size(), 255u);
  EXPECT_EQ(long_key, dedup_key_for("A", {{"table", std::string(400, 'x')}}));
  EXPECT_NE(long_key, dedup_key_for("A", {{"table", std::string(401, 'x')}}));
}

TEST(RuleSet, ConfigOverridesAddsAndDisablesByName) {
  ConfigNode alerts = ConfigNode::load_string(R"(
rules:
  - alert: CdcSlotRetainedWalHigh
    metric: cdcwatch_pg_slot_retained_wal_bytes
    match: { source: orders }
    above: 1GB
    for: 1m
    severity: critical
  - alert: MyOwnRule
    metric: cdcwatch_pg_up
    equals: 0
disable: [CdcConsumerLagHigh]
)",
                                              "cdcwatch.yml");
  AlertsConfig config = parse_alerts_config(alerts);
  auto rules = build_rule_set(config, "cdcwatch.yml");
  auto find = [&](const std::string& name) -> const AlertRule* {
    for (const auto& rule : rules) {
      if (rule.alert == name) return &rule;
    }
    return nullptr;
  };
  size_t defaults = default_rules().size();
  EXPECT_EQ(rules.size(), defaults);  // one added, one removed
  ASSERT_NE(find("CdcSlotRetainedWalHigh"), nullptr);
  EXPECT_EQ(find("CdcSlotRetainedWalHigh")->threshold, 1e9);
  EXPECT_EQ(find("CdcSlotRetainedWalHigh")->severity, Severity::kCritical);
  EXPECT_NE(find("MyOwnRule"), nullptr);
  EXPECT_EQ(find("CdcConsumerLagHigh"), nullptr);

  config.disable = {"NoSuchRule"};
  EXPECT_THROW(build_rule_set(config, "cdcwatch.yml"), ConfigError);
}

TEST(RuleSet, DefaultsCoverWhatTheIssueNames) {
  auto rules = default_rules();
  std::set<std::string> metrics;
  for (const auto& rule : rules) {
    metrics.insert(rule.metric);
    EXPECT_FALSE(rule.runbook.empty()) << rule.alert;
    EXPECT_FALSE(rule.stage.empty()) << rule.alert;
  }
  for (const char* metric :
       {"cdcwatch_canary_freshness_seconds", "cdcwatch_pg_slot_retained_wal_by_cause_bytes",
        "cdcwatch_pg_slot_wal_status", "cdcwatch_pg_slot_wal_exhaustion_by_cause_seconds",
        "cdcwatch_pg_slot_inactive_seconds", "cdcwatch_connector_state",
        "cdcwatch_connector_task_state", "cdcwatch_connector_stalled",
        "cdcwatch_kafka_consumer_group_status", "cdcwatch_kafka_consumer_group_max_lag_seconds",
        "cdcwatch_probe_up", "cdcwatch_notification_oldest_pending_seconds"}) {
    EXPECT_TRUE(metrics.count(metric)) << metric;
  }
}

}  // namespace
}  // namespace cdcwatch
