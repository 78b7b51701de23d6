// The `alerts:` and `notifiers:` sections of the config.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "agent/alerting/alert_rule.h"
#include "agent/core/config_node.h"
#include "agent/core/secrets.h"
#include "agent/core/units.h"

namespace cdcwatch {

// How firing alerts become incidents: one per pipeline (and its root-cause hop), or one per
// alert instance (as before pipelines existed).
enum class Grouping { kPipeline, kAlert };
const char* to_string(Grouping grouping);

struct AlertsConfig {
  std::string rules_file = "alerts/rules.yml";
  bool rules_file_given = false;
  std::vector<AlertRule> rules;  // added rules and overrides of defaults, by name
  std::vector<std::string> disable;
  Millis min_time_before_resolve{60000};  // flap control: a trigger's resolve waits at least this
  Millis missing_data_hold{600000};   // a firing alert whose series vanished resolves after this
  Millis retrigger_interval{300000};  // a firing incident's trigger is re-sent this often
  Grouping grouping = Grouping::kPipeline;
};

struct PagerDutyConfig {
  SecretString routing_key;
  std::map<std::string, SecretString> routing_keys;  // per severity, overriding routing_key
  std::string url = "https://events.pagerduty.com/v2/enqueue";
  std::string dashboard_url;  // linked from every page
  Millis timeout{10000};
};

struct WebhookConfig {
  std::string name;  // the `notifier` label: webhook/<name>
  SecretString url;  // may carry a token
  Millis timeout{10000};
};

struct NotifiersConfig {
  std::optional<PagerDutyConfig> pagerduty;
  std::vector<WebhookConfig> webhooks;
  Millis retry_max_delay{300000};
};

AlertsConfig parse_alerts_config(const ConfigNode& node);
NotifiersConfig parse_notifiers_config(const ConfigNode& node);
nlohmann::json describe(const AlertsConfig& config);
nlohmann::json describe(const NotifiersConfig& config);

}  // namespace cdcwatch
