#include "agent/alerting/pipeline_incident.h"

#include <algorithm>
#include <cmath>

namespace cdcwatch {
namespace {

// "14:02:05 UTC" out of "2026-11-30T14:02:05.000Z".
std::string clock_time(TimePoint t) { return format_timestamp(t).substr(11, 8) + " UTC"; }

// "40s", "9m", "1h05m": an age as the on-call person reads it.
std::string age_text(double seconds) {
  auto whole = static_cast<int64_t>(std::llround(std::max(0.0, seconds)));
  char buffer[32];
  if (whole < 60) {
    std::snprintf(buffer, sizeof buffer, "%llds", static_cast<long long>(whole));
  } else if (whole < 3600) {
    std::snprintf(buffer, sizeof buffer, "%lldm", static_cast<long long>(whole / 60));
  } else {
    std::snprintf(buffer, sizeof buffer, "%lldh%02lldm", static_cast<long long>(whole / 3600),
                  static_cast<long long>(whole % 3600 / 60));
  }
  return buffer;
}

std::string impact_of(const PipelineSnapshot* pipeline) {
  if (pipeline && pipeline->freshness_seconds) {
    return "warehouse data is " + age_text(*pipeline->freshness_seconds) + " old";
  }
  if (pipeline && !pipeline->canary) return "warehouse freshness unknown (no canary)";
  return "warehouse freshness unknown (no canary reading)";
}

nlohmann::json symptom_json(const Symptom& symptom) {
  const AlertRule& rule = *symptom.rule;
  const ActiveInstance& instance = *symptom.instance;
  nlohmann::json labels = nlohmann::json::object();
  for (const auto& [name, value] : instance.labels) labels[name] = value;
  nlohmann::json out = {{"alert", rule.alert},
                        {"severity", to_string(rule.severity)},
                        {"hop", symptom.hop},
                        {"summary", render_summary(rule, instance.labels, instance.value)},
                        {"value", instance.value},
                        {"value_text", format_value(instance.value, rule.unit)},
                        {"condition", describe_condition(rule)},
                        {"for", format_duration(rule.for_duration)},
                        {"runbook", rule.runbook},
                        {"labels", labels},
                        {"firing_since", format_timestamp(instance.fired_at)}};
  if (rule.condition != Condition::kAbsent) out["threshold"] = rule.threshold;
  return out;
}

bool upstream_first(const Symptom& a, const Symptom& b) {
  size_t rank_a = upstream_rank(a.hop), rank_b = upstream_rank(b.hop);
  if (rank_a != rank_b) return rank_a < rank_b;
  if (a.rule->severity != b.rule->severity) return a.rule->severity < b.rule->severity;
  return a.instance->fired_at < b.instance->fired_at;
}

}  // namespace

RootCause root_cause(const PipelineSnapshot* pipeline, const std::vector<Symptom>& symptoms) {
  if (pipeline) {
    const HopSnapshot* failing = nullptr;
    for (const auto& hop : pipeline->hops) {
      if (hop.status != "failing") continue;
      if (!failing || upstream_rank(hop.hop) < upstream_rank(failing->hop)) failing = &hop;
    }
    if (failing && failing->since) {
      return {failing->hop, failing->reason, *failing->since, true, failing->readings};
    }
  }
  const Symptom& first = *std::min_element(symptoms.begin(), symptoms.end(), upstream_first);
  RootCause root{first.hop,
                 render_summary(*first.rule, first.instance->labels, first.instance->value),
                 first.instance->fired_at};
  for (const auto& symptom : symptoms) {
    if (symptom.hop == root.hop) root.since = std::min(root.since, symptom.instance->fired_at);
  }
  if (const HopSnapshot* hop = pipeline ? pipeline->hop(root.hop) : nullptr) {
    root.readings = hop->readings;
  }
  return root;
}

std::string pipeline_dedup_key(const std::string& pipeline) {
  return dedup_key_for(kPipelineIncidentAlert, {{"pipeline", pipeline}});
}

Severity worst_severity(const std::vector<Symptom>& symptoms) {
  Severity worst = Severity::kInfo;
  for (const auto& symptom : symptoms) worst = std::min(worst, symptom.rule->severity);
  return worst;
}

AlertEvent pipeline_trigger(const std::string& pipeline, const PipelineSnapshot* snapshot,
                            const RootCause& root, const std::vector<Symptom>& symptoms,
                            TimePoint started, TimePoint now) {
  std::vector<Symptom> ordered = symptoms;
  std::sort(ordered.begin(), ordered.end(), upstream_first);
  nlohmann::json listed = nlohmann::json::array();
  for (const auto& symptom : ordered) listed.push_back(symptom_json(symptom));
  std::string impact = impact_of(snapshot);
  AlertEvent event;
  event.action = AlertEvent::Action::kTrigger;
  event.dedup_key = pipeline_dedup_key(pipeline);
  event.alert = kPipelineIncidentAlert;
  event.severity = to_string(worst_severity(symptoms));
  event.stage = root.hop;
  event.labels = {{"hop", root.hop}, {"pipeline", pipeline}};
  event.value = snapshot && snapshot->freshness_seconds ? *snapshot->freshness_seconds : 0;
  event.summary = pipeline + ": the " + root.hop +
                  (root.failing ? " hop is failing" : " hop alerts") + " since " +
                  clock_time(root.since) + " (" + root.reason + "); " + impact + "; " +
                  std::to_string(symptoms.size()) + (symptoms.size() == 1 ? " alert" : " alerts");
  event.runbook = kPipelineIncidentRunbook;
  event.condition = "an alert of the pipeline is firing";
  event.started_at = started;
  event.created_at = now;
  event.incident = {{"pipeline", pipeline},
                    {"root_hop", root.hop},
                    {"root_reason", root.reason},
                    {"root_hop_failing", root.failing},
                    {"since", format_timestamp(root.since)},
                    {"impact", impact},
                    {"freshness_seconds", snapshot && snapshot->freshness_seconds
                                              ? nlohmann::json(*snapshot->freshness_seconds)
                                              : nlohmann::json(nullptr)},
                    {"symptoms", listed},
                    {"readings", root.readings}};
  return event;
}

}  // namespace cdcwatch
