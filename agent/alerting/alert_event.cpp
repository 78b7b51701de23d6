#include "agent/alerting/alert_event.h"

#include <openssl/sha.h>

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace cdcwatch {
namespace {

constexpr size_t kMaxDedupKey = 255;

int64_t to_ms(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

TimePoint from_ms(int64_t ms) { return TimePoint(std::chrono::milliseconds(ms)); }

template <typename T>
T field(const nlohmann::json& json, const char* name) {
  if (!json.contains(name))
    throw std::runtime_error(std::string("field '") + name + "' is missing");
  try {
    return json.at(name).get<T>();
  } catch (const nlohmann::json::exception&) {
    throw std::runtime_error(std::string("field '") + name + "' has the wrong type");
  }
}

}  // namespace

nlohmann::json to_json(const AlertEvent& event) {
  nlohmann::json labels = nlohmann::json::object();
  for (const auto& [name, value] : event.labels) labels[name] = value;
  nlohmann::json out = {{"action", event.action_name()},
                        {"dedup_key", event.dedup_key},
                        {"alert", event.alert},
                        {"severity", event.severity},
                        {"stage", event.stage},
                        {"labels", labels},
                        {"value", event.value},
                        {"summary", event.summary},
                        {"runbook", event.runbook},
                        {"condition", event.condition},
                        {"for", event.for_text},
                        {"started_at_ms", to_ms(event.started_at)},
                        {"created_at_ms", to_ms(event.created_at)}};
  if (event.unconfirmed) out["unconfirmed"] = true;
  if (!event.incident.is_null()) out["incident"] = event.incident;
  return out;
}

AlertEvent alert_event_from_json(const nlohmann::json& json) {
  if (!json.is_object()) throw std::runtime_error("not a JSON object");
  AlertEvent event;
  std::string action = field<std::string>(json, "action");
  if (action != "trigger" && action != "resolve") {
    throw std::runtime_error("field 'action' must be trigger or resolve");
  }
  event.action = action == "trigger" ? AlertEvent::Action::kTrigger : AlertEvent::Action::kResolve;
  event.dedup_key = field<std::string>(json, "dedup_key");
  event.alert = field<std::string>(json, "alert");
  event.severity = field<std::string>(json, "severity");
  event.stage = field<std::string>(json, "stage");
  const nlohmann::json labels = field<nlohmann::json>(json, "labels");
  for (const auto& [name, value] : labels.items()) {
    if (!value.is_string()) throw std::runtime_error("label '" + name + "' is not a string");
    event.labels.emplace_back(name, value.get<std::string>());
  }
  event.value = field<double>(json, "value");
  event.summary = field<std::string>(json, "summary");
  event.runbook = field<std::string>(json, "runbook");
  event.condition = field<std::string>(json, "condition");
  event.for_text = field<std::string>(json, "for");
  event.started_at = from_ms(field<int64_t>(json, "started_at_ms"));
  event.created_at = from_ms(field<int64_t>(json, "created_at_ms"));
  if (json.contains("unconfirmed")) event.unconfirmed = field<bool>(json, "unconfirmed");
  if (json.contains("incident")) {
    event.incident = json["incident"];
    if (!event.incident.is_object()) throw std::runtime_error("field 'incident' is not an object");
  }
  return event;
}

void append_resolves(const AlertEvent& paged, const std::set<std::string>& severities,
                     TimePoint now, std::vector<AlertEvent>& events) {
  for (const auto& severity : severities) {
    AlertEvent resolve = paged;
    resolve.action = AlertEvent::Action::kResolve;
    resolve.severity = severity;
    resolve.created_at = now;
    events.push_back(std::move(resolve));
  }
}

std::string dedup_key_for(const std::string& alert, const Labels& labels) {
  Labels sorted = labels;
  std::sort(sorted.begin(), sorted.end());
  std::string key = alert + ":";
  for (size_t i = 0; i < sorted.size(); ++i) {
    key += (i ? "," : "") + sorted[i].first + "=" + sorted[i].second;
  }
  if (key.size() <= kMaxDedupKey) return key;
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), digest);
  std::string hex;
  char byte[3];
  for (unsigned char c : digest) {
    std::snprintf(byte, sizeof byte, "%02x", c);
    hex += byte;
  }
  return alert.substr(0, kMaxDedupKey - hex.size() - 1) + ":" + hex;
}

std::string describe_condition(const AlertRule& rule) {
  switch (rule.condition) {
    case Condition::kAbsent:
      return "absent";
    case Condition::kEquals:
      return "equals " + format_value(rule.threshold, ValueUnit::kNumber);
    default: {
      std::string text =
          std::string(to_string(rule.condition)) + " " + format_value(rule.threshold, rule.unit);
      if (rule.clear) text += " (clears at " + format_value(*rule.clear, rule.unit) + ")";
      return text;
    }
  }
}

}  // namespace cdcwatch
