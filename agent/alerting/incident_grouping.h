// `alerts.grouping: pipeline`: one incident per pipeline, whatever number of its alerts fire.
// Lifecycle, per pipeline:
//   opens     when the first alert instance placed on it fires: a trigger under
//             pipeline_dedup_key(pipeline), naming the root cause (pipeline_incident.h);
//   updates   (a trigger under the same dedup_key) when the root hop moves or the stage starts (or
//             stops) reading it failing, the severity changes
//             (the worst symptom's), a symptom alert joins or leaves, and every
//             `retrigger_interval` while it stays open;
//   resolves  when no instance placed on the pipeline is firing or pending. An instance whose
//             observer is blind stays firing in the evaluator, so a blind pipeline never resolves.
// Downstream symptoms of an upstream cause are listed in that one incident, never paged apart.
// Instances outside every pipeline are handed back for the incident book (one per alert, as
// `alerts.grouping: alert` pages everything). A resolve goes to every severity the incident was
// paged with (each may route to its own PagerDuty service). Not thread-safe.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "agent/alerting/alert_event.h"
#include "agent/alerting/alert_rule.h"
#include "agent/alerting/incident_book.h"
#include "agent/alerting/pipeline_incident.h"
#include "agent/alerting/pipeline_snapshot.h"

namespace cdcwatch {

class IncidentGrouping {
 public:
  IncidentGrouping(const std::vector<AlertRule>& rules, Millis retrigger_interval);

  // Appends the pipeline incidents' pages to `pages`; returns the instances outside every pipeline.
  std::vector<ActiveInstance> take(const std::vector<ActiveInstance>& active,
                                   const std::vector<PipelineSnapshot>& pipelines, TimePoint now,
                                   std::vector<AlertEvent>& pages);
  // Incidents open before a restart (their firing instances, placed): open again, without a page.
  void restore(const std::vector<ActiveInstance>& firing, TimePoint now);
  // The record of open incidents was lost (a damaged state file): a resolve, marked
  // `unconfirmed`, for every pipeline of `pipelines` with no active instance, as any of them may
  // have had an incident open. Call once, when every probe has reported.
  void resolve_quiet_pipelines(const std::vector<ActiveInstance>& active,
                               const std::vector<PipelineSnapshot>& pipelines, TimePoint now,
                               std::vector<AlertEvent>& pages) const;

  // The open incident of `pipeline` for /status and /api/pipelines; null when there is none.
  nlohmann::json incident_json(const std::string& pipeline) const;
  size_t open_count() const { return incidents_.size(); }

 private:
  struct Incident {
    AlertEvent paged;                  // the last trigger sent
    std::set<std::string> severities;  // each one paged: a resolve goes to every routing key
    std::set<std::string> alerts;      // the symptom alerts of the last trigger
    // Restored without the pipeline stage's view: whether the stage reads the root hop failing
    // is learnt, not news, at the first evaluation that has it.
    bool restored = false;
    TimePoint last_sent;
  };
  using SymptomsByPipeline = std::map<std::string, std::vector<Symptom>>;

  SymptomsByPipeline symptoms_of(const std::vector<ActiveInstance>& instances, bool firing_only,
                                 std::set<std::string>* live) const;
  void resolve_gone(const std::set<std::string>& live, TimePoint now,
                    std::vector<AlertEvent>& pages);
  bool needs_update(const Incident& incident, const AlertEvent& trigger, TimePoint now) const;
  static void record(Incident& incident, const AlertEvent& trigger);

  const std::vector<AlertRule>& rules_;
  Millis retrigger_interval_;
  std::map<std::string, Incident> incidents_;  // by pipeline
};

}  // namespace cdcwatch
