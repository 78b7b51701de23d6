#include "tests/demo/demo_thresholds.h"

#include <cstdio>

#include "agent/alerting/alert_event.h"
#include "agent/core/units.h"
#include "probes/kafkaconn/kafka_cluster_config.h"

namespace cdcwatch::demo {
namespace {

std::string rule_text(const AlertRule& rule) {
  return describe_condition(rule) + " for " + format_duration(rule.for_duration);
}

std::string row(const std::string& name, const std::string& demo, const std::string& shipped) {
  char line[256];
  std::snprintf(line, sizeof line, "    %-28s %-28s [%s]\n", name.c_str(), demo.c_str(),
                shipped.c_str());
  return line;
}

// Alert -> {demo rule, shipped rule}, for the rules whose condition or `for` differ, in the
// demo's order.
std::vector<std::pair<std::string, std::pair<std::string, std::string>>> rule_pairs(
    const Config& demo, const std::vector<AlertRule>& defaults) {
  std::vector<std::pair<std::string, std::pair<std::string, std::string>>> out;
  for (const auto& rule : demo.rules) {
    for (const auto& shipped : defaults) {
      if (shipped.alert == rule.alert && rule_text(shipped) != rule_text(rule)) {
        out.push_back({rule.alert, {rule_text(rule), rule_text(shipped)}});
      }
    }
  }
  return out;
}

}  // namespace

std::string thresholds_in_force(const Config& demo, const std::vector<AlertRule>& defaults) {
  const AgentSettings shipped_agent;
  const AlertsConfig shipped_alerts;
  const KafkaClusterConfig shipped_kafka;
  std::string out =
      "Thresholds in force: the demo's, shipped defaults in [brackets] (alerts/rules.yml and the\n"
      "README). They are short so that a fault pages within seconds instead of the minutes that\n"
      "keep a real pipeline's normal hiccups (a sink flushing every 60 s, a rebalance) quiet:\n";
  out += row("probe interval", format_duration(demo.agent.interval),
             format_duration(shipped_agent.interval));
  if (!demo.kafka.empty()) {
    out +=
        row("consumer status window", std::to_string(demo.kafka.front().window) + " observations",
            std::to_string(shipped_kafka.window) + " observations");
  }
  out += row("resolve no sooner than", format_duration(demo.alerts.min_time_before_resolve),
             format_duration(shipped_alerts.min_time_before_resolve));
  for (const auto& [alert, texts] : rule_pairs(demo, defaults)) {
    out += row(alert, texts.first, texts.second);
  }
  return out;
}

std::map<std::string, std::string> changed_rules(const Config& demo,
                                                 const std::vector<AlertRule>& defaults) {
  std::map<std::string, std::string> out;
  for (const auto& [alert, texts] : rule_pairs(demo, defaults)) {
    out[alert] = texts.first + " (shipped: " + texts.second + ")";
  }
  return out;
}

}  // namespace cdcwatch::demo
