// A page to send: an alert instance that started firing (trigger) or stopped (resolve). Stored in
// the outbox as JSON without any secret; each notifier formats it for its peer at send time.
#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "agent/alerting/alert_rule.h"
#include "agent/core/clock.h"
#include "agent/core/readings.h"

namespace cdcwatch {

struct AlertEvent {
  enum class Action { kTrigger, kResolve };
  Action action = Action::kTrigger;
  std::string dedup_key;
  std::string alert;
  std::string severity;
  std::string stage;
  Labels labels;  // the series' labels: they identify the instance
  double value = 0;
  std::string summary;
  std::string runbook;    // runbooks/<file>.md as in the rule
  std::string condition;  // "above 5GB (clears at 4GB)"
  std::string for_text;   // "5m"
  TimePoint started_at;   // when the instance started firing
  TimePoint created_at;   // when this event was decided
  // A resolve for an incident that may never have been opened: sent after the record of firing
  // alerts was lost, only to notifiers for which resolving a closed incident is harmless.
  bool unconfirmed = false;
  // A page for a pipeline's incident (incident_grouping.h): pipeline, root_hop, root_reason, since,
  // impact, freshness_seconds, symptoms (every firing alert of the pipeline) and readings (the
  // root hop's). Null for the page of one alert instance.
  nlohmann::json incident;

  const char* action_name() const { return action == Action::kTrigger ? "trigger" : "resolve"; }
};

nlohmann::json to_json(const AlertEvent& event);
// Throws std::runtime_error naming the missing or malformed field.
AlertEvent alert_event_from_json(const nlohmann::json& json);

// The resolves that close an incident last paged as `paged`: one per severity it was paged with,
// as each severity may route to its own PagerDuty service.
void append_resolves(const AlertEvent& paged, const std::set<std::string>& severities,
                     TimePoint now, std::vector<AlertEvent>& events);

// The same key for the same alert and labels in every replica, so PagerDuty opens one incident.
// Readable when short ("CdcSlotLost:slot=s1,source=orders"); a SHA-256 digest when it would pass
// PagerDuty's 255-character limit.
std::string dedup_key_for(const std::string& alert, const Labels& labels);

// "above 5GB (clears at 4GB)", "equals 1", "absent".
std::string describe_condition(const AlertRule& rule);

}  // namespace cdcwatch
