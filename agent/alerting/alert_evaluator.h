// Evaluates rules against the agent's latest readings and decides pages. Per alert instance (a rule
// and one series' labels): inactive -> pending (condition true, waiting `for`) -> firing ->
// resolved. Firing instances resolve only after the condition has been false for `keep_firing_for`,
// and never sooner than `min_time_before_resolve` after their trigger (flap control). A firing
// instance whose series vanished (probe down, slot dropped) is held for `missing_data_hold`: an
// outage of cdcwatch's view is not a recovery of the pipeline. Not thread-safe.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "agent/alerting/alert_event.h"
#include "agent/alerting/alert_rule.h"
#include "agent/core/clock.h"
#include "agent/core/readings.h"
#include "agent/core/readings_view.h"

namespace cdcwatch {

struct EvaluatorOptions {
  Millis min_time_before_resolve{60000};
  Millis missing_data_hold{600000};
};

// What survives a restart: the instances that were firing.
struct FiringInstance {
  std::string alert;
  Labels labels;
  TimePoint fired_at;
};

class AlertEvaluator {
 public:
  AlertEvaluator(std::vector<AlertRule> rules, EvaluatorOptions options);

  // Marks instances as already firing (they were paged before a restart); unknown rules are
  // skipped.
  void restore(const std::vector<FiringInstance>& instances, TimePoint now);
  // `complete`: every probe has reported at least once, so a missing series means absent.
  std::vector<AlertEvent> evaluate(const ReadingsView& view, TimePoint now, bool complete);

  std::vector<FiringInstance> firing() const;
  // cdcwatch_alert_state: 2 firing, 1 pending, and 0 for a rule with no active instance.
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
    double value = 0;
  };
  using InstanceMap = std::map<Labels, Instance>;

  void step(const AlertRule& rule, Instance& instance, bool breach, TimePoint now,
            std::vector<AlertEvent>& events, bool& remove);
  AlertEvent event_for(const AlertRule& rule, const Instance& instance, AlertEvent::Action action,
                       TimePoint now) const;

  std::vector<AlertRule> rules_;
  EvaluatorOptions options_;
  std::vector<InstanceMap> instances_;  // parallel to rules_
};

}  // namespace cdcwatch
