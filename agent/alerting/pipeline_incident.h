// What a pipeline's incident says: its root cause (the most upstream hop the pipeline stage sees
// failing; without one, the most upstream hop a firing alert is about), and the page that names
// the pipeline, the hop, since when, the impact (the canary's freshness at the warehouse) and
// every symptom alert with its value, threshold and runbook. Pure functions.
#pragma once

#include <string>
#include <vector>

#include "agent/alerting/alert_event.h"
#include "agent/alerting/alert_rule.h"
#include "agent/alerting/incident_book.h"
#include "agent/alerting/pipeline_snapshot.h"

namespace cdcwatch {

inline constexpr const char* kPipelineIncidentAlert = "CdcPipelineIncident";
inline constexpr const char* kPipelineIncidentRunbook = "runbooks/pipeline-incident.md";

// A firing alert instance of the pipeline, and the hop it is about there.
struct Symptom {
  const AlertRule* rule = nullptr;
  const ActiveInstance* instance = nullptr;
  std::string hop;
};

struct RootCause {
  std::string hop;
  std::string reason;
  TimePoint since;
  bool failing = false;  // the stage reads the hop failing (else only its alerts speak for it)
  nlohmann::json readings = nlohmann::json::array();  // the hop's, as the stage reported them
};

// `pipeline` may be null (not published yet, e.g. just after a restart); `symptoms` not empty.
RootCause root_cause(const PipelineSnapshot* pipeline, const std::vector<Symptom>& symptoms);

// The same for every replica and for the whole life of the incident, wherever its root moves.
std::string pipeline_dedup_key(const std::string& pipeline);

// The worst severity among the symptoms (critical > error > warning > info).
Severity worst_severity(const std::vector<Symptom>& symptoms);

AlertEvent pipeline_trigger(const std::string& pipeline, const PipelineSnapshot* snapshot,
                            const RootCause& root, const std::vector<Symptom>& symptoms,
                            TimePoint started, TimePoint now);

}  // namespace cdcwatch
