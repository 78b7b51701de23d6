#include "agent/alerting/rule_set.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#ifndef CDCWATCH_DATA_DIR
#define CDCWATCH_DATA_DIR "/usr/share/cdcwatch"
#endif

namespace cdcwatch {

std::vector<AlertRule> load_rules_file(const std::string& path) {
  return parse_rules(ConfigNode::load_file(path));
}

std::vector<AlertRule> default_rules() {
  return parse_rules(ConfigNode::load_string(default_rules_text(), "alerts/rules.yml (built in)"));
}

std::vector<AlertRule> parse_rules(const ConfigNode& root) {
  if (!root.is_map()) root.fail("expected a map with a 'rules:' list");
  root.expect_keys({"rules"});
  ConfigNode rules = root.child("rules");
  if (!rules.is_sequence()) rules.fail("expected a list of rules, each starting with '- alert:'");
  std::vector<AlertRule> out;
  std::set<std::string> names;
  for (const auto& item : rules.items()) {
    out.push_back(parse_alert_rule(item));
    if (!names.insert(out.back().alert).second) {
      item.child("alert").fail("rule '" + out.back().alert + "' is defined twice");
    }
  }
  return out;
}

namespace {

const AlertRule* find_rule(const std::vector<AlertRule>& rules, const std::string& name) {
  auto it =
      std::find_if(rules.begin(), rules.end(), [&](const AlertRule& r) { return r.alert == name; });
  return it == rules.end() ? nullptr : &*it;
}

// Escalation chains are straight lines: each rule escalates at most one and is escalated by at
// most one, without a loop. A link to a disabled rule is dropped: the greater rule then pages
// alone.
void check_escalations(std::vector<AlertRule>& rules, const std::vector<std::string>& disabled) {
  std::map<std::string, std::string> escalated_by;
  for (auto& rule : rules) {
    if (rule.escalates.empty()) continue;
    if (!find_rule(rules, rule.escalates)) {
      if (std::find(disabled.begin(), disabled.end(), rule.escalates) != disabled.end()) {
        rule.escalates.clear();
        continue;
      }
      throw ConfigError(rule.where + ": escalates: no rule named '" + rule.escalates +
                        "'; name the lesser rule this one escalates, or remove the key");
    }
    auto [it, added] = escalated_by.emplace(rule.escalates, rule.alert);
    if (!added) {
      throw ConfigError(rule.where + ": escalates: '" + rule.escalates +
                        "' is already escalated by '" + it->second +
                        "'; a chain goes one way (A, escalated by B, escalated by C)");
    }
  }
  for (const auto& rule : rules) {
    const AlertRule* step = &rule;
    for (size_t hops = 0; !step->escalates.empty(); ++hops) {
      if (hops > rules.size()) {
        throw ConfigError(rule.where + ": escalates: the chain from '" + rule.alert +
                          "' loops back on itself; remove one 'escalates'");
      }
      step = find_rule(rules, step->escalates);
    }
  }
}

}  // namespace

std::string locate_rules_file(const std::string& rules_file, const std::string& config_path) {
  namespace fs = std::filesystem;
  fs::path given(rules_file);
  if (given.is_absolute()) return rules_file;
  std::vector<fs::path> candidates = {fs::path(config_path).parent_path() / given, given,
                                      fs::path(CDCWATCH_DATA_DIR) / given};
  for (const auto& candidate : candidates) {
    std::error_code ignored;
    if (fs::is_regular_file(candidate, ignored)) return candidate.string();
  }
  return rules_file;
}

std::vector<AlertRule> build_rule_set(const AlertsConfig& config, const std::string& config_path) {
  std::string path = "alerts/rules.yml (built in)";
  std::vector<AlertRule> rules;
  if (config.rules_file_given) {
    path = locate_rules_file(config.rules_file, config_path);
    if (!std::filesystem::exists(path)) {
      throw ConfigError(config_path + ": alerts.rules_file: '" + config.rules_file +
                        "' not found next to the config, in the working directory or in " +
                        CDCWATCH_DATA_DIR + "; fix the path or remove the key to use the defaults");
    }
    rules = load_rules_file(path);
  } else {
    rules = default_rules();
  }
  for (const auto& added : config.rules) {
    auto same = std::find_if(rules.begin(), rules.end(),
                             [&](const AlertRule& r) { return r.alert == added.alert; });
    if (same != rules.end()) {
      *same = added;
    } else {
      rules.push_back(added);
    }
  }
  for (const auto& name : config.disable) {
    auto it = std::find_if(rules.begin(), rules.end(),
                           [&](const AlertRule& r) { return r.alert == name; });
    if (it == rules.end()) {
      throw ConfigError(config_path + ": alerts.disable: no rule named '" + name + "' (see " +
                        path + " for the rule names)");
    }
    rules.erase(it);
  }
  check_escalations(rules, config.disable);
  return rules;
}

}  // namespace cdcwatch
