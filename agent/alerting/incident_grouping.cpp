#include "agent/alerting/incident_grouping.h"

#include <algorithm>

#include "agent/alerting/pipeline_incident.h"

namespace cdcwatch {
namespace {

const PipelineSnapshot* find(const std::vector<PipelineSnapshot>& pipelines,
                             const std::string& name) {
  for (const auto& pipeline : pipelines) {
    if (pipeline.name == name) return &pipeline;
  }
  return nullptr;
}

std::set<std::string> alerts_of(const AlertEvent& trigger) {
  std::set<std::string> out;
  for (const auto& symptom : trigger.incident.value("symptoms", nlohmann::json::array())) {
    out.insert(symptom.value("alert", ""));
  }
  return out;
}

}  // namespace

IncidentGrouping::IncidentGrouping(const std::vector<AlertRule>& rules, Millis retrigger_interval)
    : rules_(rules), retrigger_interval_(retrigger_interval) {}

IncidentGrouping::SymptomsByPipeline IncidentGrouping::symptoms_of(
    const std::vector<ActiveInstance>& instances, bool firing_only,
    std::set<std::string>* live) const {
  SymptomsByPipeline out;
  for (const auto& instance : instances) {
    for (const auto& placed : instance.placed) {
      if (live) live->insert(placed.pipeline);
      // A silenced symptom keeps its incident open but neither opens nor updates it.
      if (firing_only && (!instance.firing || instance.suppressed)) continue;
      out[placed.pipeline].push_back({&rules_[instance.rule], &instance, placed.hop});
    }
  }
  return out;
}

void IncidentGrouping::record(Incident& incident, const AlertEvent& trigger) {
  incident.severities.insert(trigger.severity);
  incident.alerts = alerts_of(trigger);
  incident.last_sent = trigger.created_at;
  incident.paged = trigger;
}

bool IncidentGrouping::needs_update(const Incident& incident, const AlertEvent& trigger,
                                    TimePoint now) const {
  return incident.paged.stage != trigger.stage || incident.paged.severity != trigger.severity ||
         incident.paged.incident.value("root_hop_failing", false) !=
             trigger.incident.value("root_hop_failing", false) ||
         incident.alerts != alerts_of(trigger) || now - incident.last_sent >= retrigger_interval_;
}

void IncidentGrouping::resolve_gone(const std::set<std::string>& live, TimePoint now,
                                    std::vector<AlertEvent>& pages) {
  for (auto it = incidents_.begin(); it != incidents_.end();) {
    if (live.contains(it->first)) {
      ++it;
      continue;
    }
    append_resolves(it->second.paged, it->second.severities, now, pages);
    it = incidents_.erase(it);
  }
}

std::vector<ActiveInstance> IncidentGrouping::take(const std::vector<ActiveInstance>& active,
                                                   const std::vector<PipelineSnapshot>& pipelines,
                                                   TimePoint now, std::vector<AlertEvent>& pages) {
  std::set<std::string> live;
  SymptomsByPipeline firing = symptoms_of(active, true, &live);
  resolve_gone(live, now, pages);
  for (const auto& [pipeline, symptoms] : firing) {
    const PipelineSnapshot* snapshot = find(pipelines, pipeline);
    RootCause root = root_cause(snapshot, symptoms);
    auto open = incidents_.find(pipeline);
    TimePoint started = open == incidents_.end() ? now : open->second.paged.started_at;
    AlertEvent trigger = pipeline_trigger(pipeline, snapshot, root, symptoms, started, now);
    if (open != incidents_.end() && open->second.restored && snapshot) {
      open->second.restored = false;
      open->second.paged.incident["root_hop_failing"] = root.failing;
    }
    if (open != incidents_.end() && !needs_update(open->second, trigger, now)) continue;
    record(incidents_[pipeline], trigger);
    pages.push_back(std::move(trigger));
  }
  std::vector<ActiveInstance> outside;
  std::copy_if(active.begin(), active.end(), std::back_inserter(outside),
               [](const ActiveInstance& instance) { return instance.placed.empty(); });
  return outside;
}

void IncidentGrouping::restore(const std::vector<ActiveInstance>& firing, TimePoint now) {
  for (const auto& [pipeline, symptoms] : symptoms_of(firing, true, nullptr)) {
    TimePoint started = symptoms.front().instance->fired_at;
    for (const auto& symptom : symptoms) started = std::min(started, symptom.instance->fired_at);
    RootCause root = root_cause(nullptr, symptoms);
    Incident& incident = incidents_[pipeline];
    record(incident, pipeline_trigger(pipeline, nullptr, root, symptoms, started, now));
    incident.restored = true;
  }
}

void IncidentGrouping::resolve_quiet_pipelines(const std::vector<ActiveInstance>& active,
                                               const std::vector<PipelineSnapshot>& pipelines,
                                               TimePoint now,
                                               std::vector<AlertEvent>& pages) const {
  std::set<std::string> live;
  symptoms_of(active, false, &live);
  for (const auto& pipeline : pipelines) {
    if (live.contains(pipeline.name) || incidents_.contains(pipeline.name)) continue;
    AlertEvent resolve;
    resolve.action = AlertEvent::Action::kResolve;
    resolve.dedup_key = pipeline_dedup_key(pipeline.name);
    resolve.alert = kPipelineIncidentAlert;
    resolve.labels = {{"pipeline", pipeline.name}};
    resolve.summary = pipeline.name + ": no alert of the pipeline is firing";
    resolve.runbook = kPipelineIncidentRunbook;
    resolve.started_at = resolve.created_at = now;
    resolve.unconfirmed = true;
    resolve.incident = {{"pipeline", pipeline.name}, {"symptoms", nlohmann::json::array()}};
    pages.push_back(std::move(resolve));
  }
}

nlohmann::json IncidentGrouping::incident_json(const std::string& pipeline) const {
  auto open = incidents_.find(pipeline);
  if (open == incidents_.end()) return nullptr;
  const AlertEvent& paged = open->second.paged;
  nlohmann::json symptoms = nlohmann::json::array();
  for (const auto& symptom : paged.incident["symptoms"]) {
    symptoms.push_back({{"alert", symptom["alert"]},
                        {"hop", symptom["hop"]},
                        {"severity", symptom["severity"]},
                        {"summary", symptom["summary"]},
                        {"labels", symptom["labels"]}});
  }
  return {{"dedup_key", paged.dedup_key},
          {"root_hop", paged.incident["root_hop"]},
          {"root_reason", paged.incident["root_reason"]},
          {"since", paged.incident["since"]},
          {"opened_at", format_timestamp(paged.started_at)},
          {"severity", paged.severity},
          {"summary", paged.summary},
          {"symptoms", symptoms}};
}

}  // namespace cdcwatch
