#include "agent/alerting/alert_rule.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace cdcwatch {
namespace {

constexpr std::string_view kConditions[] = {"above", "below", "equals", "absent"};

// Thresholds may be written as sizes ("5GB") for byte metrics and durations ("1h") for second
// metrics; a plain number works for any metric.
std::pair<double, ValueUnit> parse_threshold(const ConfigNode& node, const std::string& metric) {
  if (!node.is_scalar()) node.fail("expected a number, a size (5GB) or a duration (5m)");
  std::string text = node.as_string();
  char* end = nullptr;
  double number = std::strtod(text.c_str(), &end);
  bool bytes = metric.ends_with("_bytes");
  bool seconds = metric.ends_with("_seconds");
  if (end != text.c_str() && *end == '\0' && std::isfinite(number)) {
    return {number, bytes ? ValueUnit::kBytes : seconds ? ValueUnit::kSeconds : ValueUnit::kNumber};
  }
  if (bytes) {
    if (auto size = parse_size(text)) return {static_cast<double>(*size), ValueUnit::kBytes};
    node.fail("'" + text + "' is not a size; write e.g. 5GB, 512MiB or a number of bytes");
  }
  if (seconds) {
    if (auto duration = parse_duration(text)) {
      return {std::chrono::duration<double>(*duration).count(), ValueUnit::kSeconds};
    }
    node.fail("'" + text + "' is not a duration; write e.g. 90s, 5m, 1h or a number of seconds");
  }
  node.fail("'" + text +
            "' is not a number (sizes and durations only suit *_bytes and *_seconds metrics)");
}

}  // namespace

bool AlertRule::breached(double value, bool firing) const {
  switch (condition) {
    case Condition::kAbove:
      return value > (firing && clear ? *clear : threshold);
    case Condition::kBelow:
      return value < (firing && clear ? *clear : threshold);
    case Condition::kEquals:
      return value == threshold;
    case Condition::kAbsent:
      return false;
  }
  return false;
}

const char* to_string(Condition condition) {
  return kConditions[static_cast<int>(condition)].data();
}

const char* to_string(Severity severity) {
  switch (severity) {
    case Severity::kCritical:
      return "critical";
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
    case Severity::kInfo:
      return "info";
  }
  return "warning";
}

std::optional<Severity> parse_severity(std::string_view text) {
  for (Severity s : {Severity::kCritical, Severity::kError, Severity::kWarning, Severity::kInfo}) {
    if (text == to_string(s)) return s;
  }
  return std::nullopt;
}

std::string format_value(double value, ValueUnit unit) {
  char buffer[64];
  if (unit == ValueUnit::kBytes) {
    // Decimal units, as thresholds are written ("5GB") and as Prometheus' humanize prints them.
    const char* units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
    int index = 0;
    while (std::fabs(value) >= 1000 && index < 5) {
      value /= 1000;
      ++index;
    }
    std::snprintf(buffer, sizeof buffer, "%.4g%s", value, units[index]);
    return buffer;
  }
  if (unit == ValueUnit::kSeconds && value >= 0 && value < 1e12) {
    auto ms = Millis(static_cast<int64_t>(std::llround(value)) * 1000);
    if (value >= 1 && std::fabs(value - std::round(value)) < 1e-9) return format_duration(ms);
    std::snprintf(buffer, sizeof buffer, "%.3gs", value);
    return buffer;
  }
  std::snprintf(buffer, sizeof buffer, "%g", value);
  return buffer;
}

AlertRule parse_alert_rule(const ConfigNode& node) {
  if (!node.is_map()) node.fail("expected a rule (a map starting with 'alert:')");
  node.expect_keys({"alert", "metric", "match", "above", "below", "equals", "absent", "for",
                    "clear", "keep_firing_for", "severity", "stage", "summary", "runbook",
                    "description", "escalates", "observer"});
  AlertRule rule;
  rule.where = node.where();
  rule.alert = node.required_string("alert");
  rule.metric = node.required_string("metric");
  if (auto match = node.optional_child("match")) {
    if (!match->is_map()) match->fail("expected a map of label: value");
    for (const auto& [name, value] : match->entries())
      rule.match.emplace_back(name, value.as_string());
    std::sort(rule.match.begin(), rule.match.end());
  }

  std::vector<std::string_view> given;
  for (auto key : kConditions) {
    if (node.has(key)) given.push_back(key);
  }
  if (given.size() != 1) {
    node.fail("give exactly one condition: above, below, equals or absent (found " +
              std::to_string(given.size()) + ")");
  }
  rule.condition =
      static_cast<Condition>(std::find(std::begin(kConditions), std::end(kConditions), given[0]) -
                             std::begin(kConditions));
  if (rule.condition == Condition::kAbsent) {
    if (!node.child("absent").as_bool())
      node.child("absent").fail("only 'absent: true' makes sense");
  } else {
    std::tie(rule.threshold, rule.unit) = parse_threshold(node.child(given[0]), rule.metric);
  }
  if (node.has("clear")) {
    if (rule.condition != Condition::kAbove && rule.condition != Condition::kBelow) {
      node.child("clear").fail("'clear' only applies to 'above' and 'below' rules");
    }
    double clear = parse_threshold(node.child("clear"), rule.metric).first;
    bool healthy_side =
        rule.condition == Condition::kAbove ? clear <= rule.threshold : clear >= rule.threshold;
    if (!healthy_side) {
      node.child("clear").fail(
          std::string("must be on the healthy side of the threshold (") +
          (rule.condition == Condition::kAbove ? "at or below" : "at or above") + " it)");
    }
    rule.clear = clear;
  }
  rule.for_duration = node.duration_or("for", Millis(0));
  rule.keep_firing_for = node.duration_or("keep_firing_for", Millis(0));
  std::string severity = node.string_or("severity", "warning");
  auto parsed = parse_severity(severity);
  if (!parsed)
    node.child("severity").fail("use critical, error, warning or info, not '" + severity + "'");
  rule.severity = *parsed;
  rule.stage = node.string_or("stage", "");
  rule.summary = node.string_or("summary", rule.alert + " on {{value}}");
  rule.runbook = node.string_or("runbook", "");
  rule.escalates = node.string_or("escalates", "");
  if (rule.escalates == rule.alert) node.child("escalates").fail("a rule cannot escalate itself");
  rule.observer = node.string_or("observer", "");
  return rule;
}

std::string render_summary(const AlertRule& rule, const Labels& labels, double value) {
  std::string out;
  const std::string& text = rule.summary;
  size_t at = 0;
  while (at < text.size()) {
    size_t open = text.find("{{", at);
    size_t close = open == std::string::npos ? open : text.find("}}", open + 2);
    if (close == std::string::npos) {
      out += text.substr(at);
      break;
    }
    out += text.substr(at, open - at);
    std::string name = text.substr(open + 2, close - open - 2);
    name.erase(0, name.find_first_not_of(' '));
    name.erase(name.find_last_not_of(' ') + 1);
    if (name == "value") {
      out += format_value(value, rule.unit);
    } else if (auto label = label_value(labels, name)) {
      out += *label;
    } else {
      out += text.substr(open, close + 2 - open);
    }
    at = close + 2;
  }
  return out;
}

}  // namespace cdcwatch
