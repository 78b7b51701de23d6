#include "agent/alerting/alerts_config.h"

#include <set>

namespace cdcwatch {
namespace {

// Floors that keep a typo from flooding a peer or disarming delivery (issue #23: `timeout: 0s`
// never delivered, `retry_max_delay: 0s` sent 16,349 POSTs in 12 s).
constexpr Millis kMinNotifierTimeout{1000};
constexpr Millis kMinRetryMaxDelay{1000};
constexpr Millis kMinRetriggerInterval{60000};

Millis duration_at_least(const ConfigNode& node, std::string_view key, Millis fallback,
                         Millis minimum, std::string_view why) {
  Millis value = node.duration_or(key, fallback);
  if (value < minimum) {
    node.child(key).fail("must be at least " + format_duration(minimum) + " (" + std::string(why) +
                         "); write e.g. " + format_duration(fallback));
  }
  return value;
}

// `http://host...` or `https://host...`; the value is named only when it holds no secret.
void expect_http_url(const ConfigNode& node, const std::string& url, bool show_value) {
  std::string shown = show_value ? "'" + url + "' " : "";
  size_t host = url.starts_with("https://") ? 8 : url.starts_with("http://") ? 7 : 0;
  if (host == 0) {
    node.fail(shown + "is not an http:// or https:// URL; write e.g. " +
              "https://events.pagerduty.com/v2/enqueue");
  }
  bool blank_host = host >= url.size() || url[host] == '/' || url[host] == ':' || url[host] == '?';
  if (blank_host || url.find_first_of(" \t\r\n") != std::string::npos) {
    node.fail(shown + "is not a valid URL (no host, or a space); write e.g. " +
              "https://hooks.example.com/cdcwatch");
  }
}

Grouping parse_grouping(const ConfigNode& node) {
  std::string written = node.string_or("grouping", "pipeline");
  if (written == "pipeline") return Grouping::kPipeline;
  if (written == "alert") return Grouping::kAlert;
  node.child("grouping")
      .fail("'" + written +
            "' is not a grouping; write 'pipeline' (one incident per pipeline and root-cause "
            "hop) or 'alert' (one incident per alert instance)");
}

}  // namespace

const char* to_string(Grouping grouping) {
  return grouping == Grouping::kAlert ? "alert" : "pipeline";
}

AlertsConfig parse_alerts_config(const ConfigNode& node) {
  node.expect_keys({"rules_file", "rules", "disable", "min_time_before_resolve",
                    "missing_data_hold", "retrigger_interval", "grouping"});
  AlertsConfig config;
  config.rules_file_given = node.has("rules_file");
  config.rules_file = node.string_or("rules_file", config.rules_file);
  if (auto rules = node.optional_child("rules")) {
    if (!rules->is_sequence())
      rules->fail("expected a list of rules, each starting with '- alert:'");
    std::set<std::string> names;
    for (const auto& item : rules->items()) {
      config.rules.push_back(parse_alert_rule(item));
      if (!names.insert(config.rules.back().alert).second) {
        item.child("alert").fail("rule '" + config.rules.back().alert + "' is defined twice");
      }
    }
  }
  config.disable = node.string_list_or("disable", {});
  config.min_time_before_resolve =
      node.duration_or("min_time_before_resolve", config.min_time_before_resolve);
  config.missing_data_hold = node.duration_or("missing_data_hold", config.missing_data_hold);
  config.retrigger_interval =
      duration_at_least(node, "retrigger_interval", config.retrigger_interval,
                        kMinRetriggerInterval, "each re-trigger is a request to every notifier");
  config.grouping = parse_grouping(node);
  return config;
}

NotifiersConfig parse_notifiers_config(const ConfigNode& node) {
  node.expect_keys({"pagerduty", "webhooks", "retry_max_delay"});
  NotifiersConfig config;
  if (auto pd = node.optional_child("pagerduty")) {
    pd->expect_keys({"routing_key", "routing_keys", "url", "dashboard_url", "timeout"});
    PagerDutyConfig pagerduty;
    if (pd->has("routing_key")) pagerduty.routing_key = pd->child("routing_key").as_secret();
    if (auto keys = pd->optional_child("routing_keys")) {
      if (!keys->is_map()) keys->fail("expected a map of severity: routing key");
      for (const auto& [severity, key] : keys->entries()) {
        if (!parse_severity(severity)) {
          key.fail("'" + severity + "' is not a severity; use critical, error, warning or info");
        }
        pagerduty.routing_keys[severity] = key.as_secret();
      }
    }
    if (pagerduty.routing_key.value.empty() && pagerduty.routing_keys.empty()) {
      pd->fail(
          "set routing_key (the Events API v2 integration key), e.g. "
          "routing_key: ${file:/secrets/pagerduty.properties:routing_key}");
    }
    pagerduty.url = pd->string_or("url", pagerduty.url);
    if (pd->has("url")) expect_http_url(pd->child("url"), pagerduty.url, true);
    pagerduty.dashboard_url = pd->string_or("dashboard_url", "");
    pagerduty.timeout = duration_at_least(*pd, "timeout", pagerduty.timeout, kMinNotifierTimeout,
                                          "a shorter request never completes");
    config.pagerduty = std::move(pagerduty);
  }
  if (auto hooks = node.optional_child("webhooks")) {
    if (!hooks->is_sequence()) hooks->fail("expected a list of webhooks, each with 'url:'");
    std::set<std::string> names;
    for (const auto& item : hooks->items()) {
      item.expect_keys({"name", "url", "timeout"});
      WebhookConfig hook;
      hook.name = item.string_or("name", std::to_string(config.webhooks.size() + 1));
      hook.url = item.child("url").as_secret();
      expect_http_url(item.child("url"), hook.url.value, false);
      hook.timeout = duration_at_least(item, "timeout", hook.timeout, kMinNotifierTimeout,
                                       "a shorter request never completes");
      if (!names.insert(hook.name).second) {
        item.fail("two webhooks named '" + hook.name + "'; give each its own 'name:'");
      }
      config.webhooks.push_back(std::move(hook));
    }
  }
  config.retry_max_delay =
      duration_at_least(node, "retry_max_delay", config.retry_max_delay, kMinRetryMaxDelay,
                        "retries closer together only flood a failing peer");
  return config;
}

nlohmann::json describe(const AlertsConfig& config) {
  nlohmann::json rules = nlohmann::json::array();
  for (const auto& rule : config.rules) rules.push_back(rule.alert);
  return {{"rules_file",
           config.rules_file_given ? config.rules_file : config.rules_file + " (built in)"},
          {"rules", rules},
          {"disable", config.disable},
          {"min_time_before_resolve", format_duration(config.min_time_before_resolve)},
          {"missing_data_hold", format_duration(config.missing_data_hold)},
          {"retrigger_interval", format_duration(config.retrigger_interval)},
          {"grouping", to_string(config.grouping)}};
}

nlohmann::json describe(const NotifiersConfig& config) {
  nlohmann::json out = nlohmann::json::object();
  if (config.pagerduty) {
    nlohmann::json keys = nlohmann::json::object();
    for (const auto& [severity, key] : config.pagerduty->routing_keys) keys[severity] = key.display;
    out["pagerduty"] = {{"routing_key", config.pagerduty->routing_key.display},
                        {"routing_keys", keys},
                        {"url", config.pagerduty->url},
                        {"dashboard_url", config.pagerduty->dashboard_url},
                        {"timeout", format_duration(config.pagerduty->timeout)}};
  }
  out["webhooks"] = nlohmann::json::array();
  for (const auto& hook : config.webhooks) {
    out["webhooks"].push_back({{"name", hook.name},
                               {"url", hook.url.display},
                               {"timeout", format_duration(hook.timeout)}});
  }
  out["retry_max_delay"] = format_duration(config.retry_max_delay);
  return out;
}

}  // namespace cdcwatch
