// One alert rule, as written in alerts/rules.yml or under `alerts.rules` in the config. The same
// rule drives the agent's own paging and the exported Prometheus rule.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/core/config_node.h"
#include "agent/core/readings.h"
#include "agent/core/units.h"

namespace cdcwatch {

enum class Condition { kAbove, kBelow, kEquals, kAbsent };
enum class Severity { kCritical, kError, kWarning, kInfo };

// How a threshold was written, so that exports and messages show "5GB" rather than 5e9.
enum class ValueUnit { kNumber, kBytes, kSeconds };

struct AlertRule {
  std::string alert;
  std::string metric;
  Labels match;  // label equality, sorted by name
  Condition condition = Condition::kAbove;
  double threshold = 0;         // unused for kAbsent
  std::optional<double> clear;  // hysteresis: the value that resolves a firing alert
  ValueUnit unit = ValueUnit::kNumber;
  Millis for_duration{0};
  Millis keep_firing_for{0};
  Severity severity = Severity::kWarning;
  std::string stage;
  std::string summary;  // {{label}} and {{value}} placeholders
  std::string runbook;  // runbooks/<file>.md
  // The lesser rule this one escalates (CdcConsumerGroupStopped escalates CdcConsumerGroupStalled):
  // both page as one incident, under the dedup_key of the first rule of the chain.
  std::string escalates;
  // The `*_up` gauge of the system the series comes from (cdcwatch_pg_up): when the series
  // vanishes, it tells a system cdcwatch cannot see (hold the alert) from one it sees without the
  // series (the slot was dropped: resolve).
  std::string observer;
  std::string where;  // file:line of the rule, for messages

  // Whether a value breaches the rule; `firing` applies the clear threshold (hysteresis).
  bool breached(double value, bool firing) const;
};

const char* to_string(Condition condition);
const char* to_string(Severity severity);
std::optional<Severity> parse_severity(std::string_view text);

// The value as a person reads it: "5.00 GB"-style for bytes, "1h" for seconds, plain otherwise.
std::string format_value(double value, ValueUnit unit);

// Parses one rule; throws ConfigError naming the file, line and fix.
AlertRule parse_alert_rule(const ConfigNode& node);

// "{{slot}} on {{source}} retains {{value}}" with the series' labels and value filled in.
// A placeholder naming no label is left as written, so a typo shows in the page.
std::string render_summary(const AlertRule& rule, const Labels& labels, double value);

}  // namespace cdcwatch
