// `cdcwatch rules export --format prometheus`: the agent's rules as Prometheus alerting rules, for
// teams that alert from Prometheus. Same names, thresholds, `for`, severities and runbooks; the
// clear threshold (hysteresis) becomes an `or` with the alert's own ALERTS series.
#pragma once

#include <string>
#include <vector>

#include "agent/alerting/alert_rule.h"

namespace cdcwatch {

std::string prometheus_expr(const AlertRule& rule);
std::string export_prometheus_rules(const std::vector<AlertRule>& rules,
                                    const std::string& runbook_base_url);

}  // namespace cdcwatch
