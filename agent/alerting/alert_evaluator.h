// Evaluates rules against the agent's latest readings and decides pages. Per alert instance (a rule
// and one series' labels): inactive -> pending (condition true, waiting `for`) -> firing ->
// resolved. Firing instances resolve only after the condition has been false for `keep_firing_for`,
// and never sooner than `min_time_before_resolve` after their trigger (flap control).
// A firing instance whose series vanished asks the rule's `observer` (the `*_up` gauge of the
// system it comes from): while that says 0 cdcwatch cannot see, and the instance holds as long as
// the blindness lasts (an outage of cdcwatch's view is not a recovery of the pipeline); while it
// says 1 the series is gone from a system cdcwatch sees (a dropped slot) and the instance resolves
// after `missing_data_hold`; without an observer reading it also resolves after the hold. An
// `absent` rule is not judged while its observer is blind. Which pages leave is the IncidentBook's
// decision (escalation chains, re-triggers), for the instances a planner (the engine's pipeline
// grouping) does not take first. An instance a silence or maintenance window covers
// (`suppress_with`) is evaluated and shown as any other, but pages neither through the planner
// nor through the book. Not thread-safe.
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "agent/alerting/alert_event.h"
#include "agent/alerting/alert_rule.h"
#include "agent/alerting/incident_book.h"
#include "agent/core/clock.h"
#include "agent/core/readings.h"
#include "agent/core/readings_view.h"
#include "agent/silences/suppression_filter.h"

namespace cdcwatch {

struct EvaluatorOptions {
  Millis min_time_before_resolve{60000};
  Millis missing_data_hold{600000};
  Millis retrigger_interval{300000};
};

// What covers an instance: asked with the instance and its alert labels (alert, severity and the
// series' labels).
using SuppressionCheck = std::function<std::optional<Suppression>(const ActiveInstance& instance,
                                                                  const Labels& alert_labels)>;

// What survives a restart: the instances that were firing, except those held back by a silence
// since they fired (never paged: after a restart they fire afresh).
struct FiringInstance {
  std::string alert;
  Labels labels;
  TimePoint fired_at;
  std::vector<Attribution> placed;  // its pipelines when it was saved
};

class AlertEvaluator {
 public:
  AlertEvaluator(std::vector<AlertRule> rules, EvaluatorOptions options);
  AlertEvaluator(const AlertEvaluator&) = delete;  // the incident book refers to rules_
  AlertEvaluator& operator=(const AlertEvaluator&) = delete;

  // Sees the active instances (every pending and firing one) each evaluation before the incident
  // book: appends the pages it decides to `pages` and returns the instances the book pages one by
  // one. Set before the first evaluation.
  using PagePlanner = std::function<std::vector<ActiveInstance>(
      std::vector<ActiveInstance> active, TimePoint now, std::vector<AlertEvent>& pages)>;
  void plan_pages_with(PagePlanner planner) { planner_ = std::move(planner); }
  // Sets each active instance's pipelines (`placed`) before suppression and planning, so silences
  // can match `pipeline` and `hop`.
  using Placer = std::function<void(std::vector<ActiveInstance>& active)>;
  void place_with(Placer placer) { placer_ = std::move(placer); }

  // Marks instances as already firing (they were paged before a restart); unknown rules are
  // skipped. The incident book takes those placed on no pipeline; the placed ones are returned
  // (with their rule) for the planner's own book.
  std::vector<ActiveInstance> restore(const std::vector<FiringInstance>& instances, TimePoint now);
  // The record of firing alerts was lost (a damaged state file): the first complete evaluation
  // sends a resolve for every series whose condition is clear and that no rule of its incident
  // holds, since any of them may have an incident open. PagerDuty drops a resolve of an alert that
  // is not open (Events API v2, Alert De-Duplication); these are marked `unconfirmed`.
  void resolve_clear_series_once() { resolve_clear_series_ = true; }
  // Asked at every evaluation, before any page is decided.
  void suppress_with(SuppressionCheck check) { suppression_ = std::move(check); }
  // `complete`: every probe has reported at least once, so a missing series means absent.
  std::vector<AlertEvent> evaluate(const ReadingsView& view, TimePoint now, bool complete);

  std::vector<FiringInstance> firing() const;
  // The dedup_key an instance of `alert` with `labels` pages under (its escalation chain's).
  std::string dedup_key_of(const std::string& alert, const Labels& labels) const;
  // cdcwatch_alert_state: 2 firing, 1 pending, and 0 for a rule with no active instance;
  // cdcwatch_alert_silenced: 1 for a pending or firing instance a silence or window covers, else 0.
  Readings state_readings() const;
  nlohmann::json status_json(TimePoint now) const;
  const std::vector<AlertRule>& rules() const { return rules_; }

 private:
  struct Instance {
    Labels labels;
    bool firing = false;
    TimePoint pending_since;
    TimePoint fired_at;
    TimePoint last_breach;
    TimePoint last_seen;
    TimePoint last_known;  // seen, or unseen while the observer was blind
    bool blind = false;
    double value = 0;
    std::optional<Suppression> suppressed;
    bool held = false;  // fired while suppressed, and not paged since
  };
  using InstanceMap = std::map<Labels, Instance>;
  enum class Sight { kSeen, kBlind, kNoReading };

  Sight sight_of(const AlertRule& rule, const Labels& labels, const ReadingsView& view) const;
  // Returns whether the instance is over (resolved, or a pending one that cleared).
  bool step(const AlertRule& rule, Instance& instance, bool breach, TimePoint now) const;
  // A firing instance whose series is missing: held while blind, else until missing_data_hold.
  bool missing(Instance& instance, Sight sight, TimePoint now) const;
  Labels alert_labels(size_t rule, const Labels& labels) const;
  void mark_suppressed(std::vector<ActiveInstance>& active, TimePoint now);
  std::vector<ActiveInstance> active() const;
  std::vector<AlertEvent> resolves_for_clear_series(const ReadingsView& view, TimePoint now) const;

  std::vector<AlertRule> rules_;
  EvaluatorOptions options_;
  std::vector<InstanceMap> instances_;  // parallel to rules_
  IncidentBook book_;
  PagePlanner planner_;
  Placer placer_;
  bool resolve_clear_series_ = false;
  SuppressionCheck suppression_;
};

}  // namespace cdcwatch
