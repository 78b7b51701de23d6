// The thresholds the demo runs with, next to the shipped defaults, so its page times are not
// mistaken for what a production install does.
#pragma once

#include <string>
#include <vector>

#include "agent/alerting/alert_rule.h"
#include "agent/app/config.h"

namespace cdcwatch::demo {

// The agent settings and every rule of `demo` whose condition or `for` differs from the rule of
// the same name in `defaults`, each as "demo value [default value]", with the reason.
std::string thresholds_in_force(const Config& demo, const std::vector<AlertRule>& defaults);

}  // namespace cdcwatch::demo
