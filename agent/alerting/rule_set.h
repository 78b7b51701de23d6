// The rules the agent evaluates: the rules file (alerts/rules.yml by default), then the config's
// `alerts.rules` added or replacing a rule of the same name, minus `alerts.disable`.
#pragma once

#include <string>
#include <vector>

#include "agent/alerting/alert_rule.h"
#include "agent/alerting/alerts_config.h"

namespace cdcwatch {

// Parses a rules file (a top-level `rules:` list); throws ConfigError with file:line.
std::vector<AlertRule> load_rules_file(const std::string& path);
std::vector<AlertRule> parse_rules(const ConfigNode& root);

// alerts/rules.yml as it was when this binary was built.
const char* default_rules_text();
std::vector<AlertRule> default_rules();

// Finds a relative rules file next to the config, then in the working directory, then among the
// installed data files; returns the first that exists, or the path as given.
std::string locate_rules_file(const std::string& rules_file, const std::string& config_path);

// The built-in defaults unless `alerts.rules_file` names a file. Throws ConfigError when the file
// is missing or invalid, or `disable` names no rule.
std::vector<AlertRule> build_rule_set(const AlertsConfig& config, const std::string& config_path);

}  // namespace cdcwatch
