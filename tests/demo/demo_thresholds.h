// The thresholds the demo runs with, next to the shipped defaults, so its page times are not
// mistaken for what a production install does.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "agent/alerting/alert_rule.h"
#include "agent/app/config.h"

namespace cdcwatch::demo {

// The agent settings and every rule of `demo` whose condition or `for` differs from the rule of
// the same name in `defaults`, each as "demo value [default value]", with the reason.
std::string thresholds_in_force(const Config& demo, const std::vector<AlertRule>& defaults);

// Per alert whose demo rule differs from the shipped one: "above 20s for 0s (shipped: above 1m for
// 0s)", for the page narration, whose runbook text states the shipped thresholds.
std::map<std::string, std::string> changed_rules(const Config& demo,
                                                 const std::vector<AlertRule>& defaults);

}  // namespace cdcwatch::demo
