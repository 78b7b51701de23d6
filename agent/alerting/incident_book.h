// What the notifiers see: one incident per escalation chain and series identity, whatever rules
// of the chain are firing. An incident opens (trigger) when the first of its rules fires, is
// re-triggered under the same dedup_key when the highest firing rule changes (a stall became a
// stop, a warning became critical, or back) and every `retrigger_interval` while it stays open, and
// resolves only when no rule of its chain is firing or pending for that identity.
//
// Suppressed instances (a silence or maintenance window covers them) never open an incident, nor
// re-trigger or escalate one; they still keep an open incident open, because the problem is not
// over: a silence added during an incident does not resolve it, and the resolve is sent when the
// condition clears. When the suppression ends and the instance still fires, it pages then.
//
// PagerDuty applies a trigger with the dedup_key of an open alert to that alert (a log entry; its
// severity, and so the incident's urgency, follows the new event) and opens a new alert when the
// old one was resolved, which is what lets a replica reopen an incident another replica resolved:
// https://developer.pagerduty.com/docs/events-api-v2/trigger-events/ (Alert De-Duplication)
// https://support.pagerduty.com/docs/dynamic-notifications ("when an alert's severity changes")
// Not thread-safe.
#pragma once

#include <map>
#include <set>
#include <vector>

#include "agent/alerting/alert_event.h"
#include "agent/alerting/alert_rule.h"
#include "agent/alerting/pipeline_attribution.h"

namespace cdcwatch {

// One alert instance, as the evaluator holds it after an evaluation.
struct ActiveInstance {
  size_t rule = 0;  // index into the rules
  Labels labels;    // sorted
  bool firing = false;
  double value = 0;
  TimePoint fired_at;
  std::vector<Attribution> placed;  // its pipelines and hops; empty outside every pipeline
  bool suppressed = false;          // a silence or maintenance window covers it: it does not page
  // At start-up, outside every pipeline before every probe has reported and the pipeline stage
  // has judged it all: it may belong to a pipeline not formed yet, so its page waits (an incident
  // it has open stays open).
  bool waiting_for_pipelines = false;
  bool pages() const { return firing && !suppressed && !waiting_for_pipelines; }
};

// The labels silences and pages match an instance on: its series' labels with `pipeline` and
// `hop` (attribution_labels) added when it belongs to a pipeline.
Labels labels_with_placement(const ActiveInstance& instance);

class IncidentBook {
 public:
  IncidentBook(const std::vector<AlertRule>& rules, Millis retrigger_interval);

  // The pages that `active` (every pending and firing instance) calls for now.
  std::vector<AlertEvent> update(const std::vector<ActiveInstance>& active, TimePoint now);
  // Incidents opened before a restart: open again, without a page.
  void restore(const std::vector<ActiveInstance>& firing, TimePoint now);

  // A resolve for an incident this book may never have seen (its record was lost).
  AlertEvent resolve_for(const ActiveInstance& instance, TimePoint now) const;
  // The dedup_key an instance of rule `rule` with `labels` pages under.
  std::string dedup_key(size_t rule, const Labels& labels) const;
  size_t open_count() const { return incidents_.size(); }

 private:
  using Key = std::pair<size_t, Labels>;  // chain root, labels without the rules' match keys
  struct Incident {
    AlertEvent paged;                  // the last trigger sent
    std::set<std::string> severities;  // each one paged: a resolve goes to every routing key
    TimePoint last_sent;
  };

  Key key_of(size_t rule, const Labels& labels) const;
  AlertEvent trigger_for(const ActiveInstance& instance, const Key& key, TimePoint started,
                         TimePoint now) const;
  void send(Incident& incident, AlertEvent trigger, std::vector<AlertEvent>& events);

  const std::vector<AlertRule>& rules_;
  Millis retrigger_interval_;
  std::vector<size_t> root_;  // per rule: the first rule of its chain
  std::vector<size_t> rank_;  // per rule: steps from the root (greater escalates lesser)
  std::map<Key, Incident> incidents_;
};

}  // namespace cdcwatch
