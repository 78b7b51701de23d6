#include "agent/alerting/alert_evaluator.h"

#include <algorithm>

namespace cdcwatch {
namespace {

const MetricDef kAlertState{"cdcwatch_alert_state",
                            "State of each alert instance: 0 inactive, 1 pending, 2 firing"};

Labels sorted(Labels labels) {
  std::sort(labels.begin(), labels.end());
  return labels;
}

}  // namespace

AlertEvaluator::AlertEvaluator(std::vector<AlertRule> rules, EvaluatorOptions options)
    : rules_(std::move(rules)), options_(options), instances_(rules_.size()) {}

void AlertEvaluator::restore(const std::vector<FiringInstance>& instances, TimePoint now) {
  for (const auto& restored : instances) {
    for (size_t i = 0; i < rules_.size(); ++i) {
      if (rules_[i].alert != restored.alert) continue;
      Instance& instance = instances_[i][sorted(restored.labels)];
      instance.labels = sorted(restored.labels);
      instance.firing = true;
      instance.pending_since = instance.fired_at = restored.fired_at;
      instance.last_breach = instance.last_seen = now;
    }
  }
}

std::vector<AlertEvent> AlertEvaluator::evaluate(const ReadingsView& view, TimePoint now,
                                                 bool complete) {
  std::vector<AlertEvent> events;
  for (size_t i = 0; i < rules_.size(); ++i) {
    const AlertRule& rule = rules_[i];
    InstanceMap& instances = instances_[i];
    std::vector<Series> found = view.find(rule.metric, rule.match);
    std::map<Labels, double> current;
    if (rule.condition == Condition::kAbsent) {
      if (complete && found.empty()) current[rule.match] = 0;
    } else {
      for (auto& series : found) current[sorted(series.labels)] = series.value;
    }
    for (auto it = instances.begin(); it != instances.end();) {
      bool remove = false;
      auto seen = current.find(it->first);
      if (seen != current.end()) {
        it->second.last_seen = now;
        it->second.value = seen->second;
        bool breach =
            rule.condition == Condition::kAbsent || rule.breached(seen->second, it->second.firing);
        step(rule, it->second, breach, now, events, remove);
        current.erase(seen);
      } else if (rule.condition == Condition::kAbsent) {
        step(rule, it->second, false, now, events, remove);  // the series is back
      } else if (!it->second.firing) {
        remove = true;
      } else if (now - it->second.last_seen >= options_.missing_data_hold) {
        events.push_back(event_for(rule, it->second, AlertEvent::Action::kResolve, now));
        remove = true;
      }
      it = remove ? instances.erase(it) : std::next(it);
    }
    for (const auto& [labels, value] : current) {
      if (rule.condition != Condition::kAbsent && !rule.breached(value, false)) continue;
      Instance instance;
      instance.labels = labels;
      instance.pending_since = instance.last_seen = now;
      instance.value = value;
      bool remove = false;
      step(rule, instance, true, now, events, remove);
      instances.emplace(labels, instance);
    }
  }
  return events;
}

void AlertEvaluator::step(const AlertRule& rule, Instance& instance, bool breach, TimePoint now,
                          std::vector<AlertEvent>& events, bool& remove) {
  if (!instance.firing) {
    if (!breach) {
      remove = true;
    } else if (now - instance.pending_since >= rule.for_duration) {
      instance.firing = true;
      instance.fired_at = instance.last_breach = now;
      events.push_back(event_for(rule, instance, AlertEvent::Action::kTrigger, now));
    }
    return;
  }
  if (breach) {
    instance.last_breach = now;
    return;
  }
  if (now - instance.last_breach >= rule.keep_firing_for &&
      now - instance.fired_at >= options_.min_time_before_resolve) {
    events.push_back(event_for(rule, instance, AlertEvent::Action::kResolve, now));
    remove = true;
  }
}

AlertEvent AlertEvaluator::event_for(const AlertRule& rule, const Instance& instance,
                                     AlertEvent::Action action, TimePoint now) const {
  AlertEvent event;
  event.action = action;
  event.alert = rule.alert;
  event.labels = instance.labels;
  event.dedup_key = dedup_key_for(rule.alert, instance.labels);
  event.severity = to_string(rule.severity);
  event.stage = rule.stage;
  event.value = instance.value;
  event.summary = render_summary(rule, instance.labels, instance.value);
  event.runbook = rule.runbook;
  event.condition = describe_condition(rule);
  event.for_text = format_duration(rule.for_duration);
  event.started_at = instance.fired_at;
  event.created_at = now;
  return event;
}

std::vector<FiringInstance> AlertEvaluator::firing() const {
  std::vector<FiringInstance> out;
  for (size_t i = 0; i < rules_.size(); ++i) {
    for (const auto& [labels, instance] : instances_[i]) {
      if (instance.firing) out.push_back({rules_[i].alert, labels, instance.fired_at});
    }
  }
  return out;
}

Readings AlertEvaluator::state_readings() const {
  Readings readings;
  for (size_t i = 0; i < rules_.size(); ++i) {
    Labels base = {{"alert", rules_[i].alert}, {"severity", to_string(rules_[i].severity)}};
    if (instances_[i].empty()) readings.set(kAlertState, base, 0);
    for (const auto& [labels, instance] : instances_[i]) {
      Labels all = base;
      for (const auto& label : labels) {
        if (label.first != "alert" && label.first != "severity") all.push_back(label);
      }
      readings.set(kAlertState, all, instance.firing ? 2 : 1);
    }
  }
  return readings;
}

nlohmann::json AlertEvaluator::status_json(TimePoint now) const {
  nlohmann::json out = nlohmann::json::array();
  for (size_t i = 0; i < rules_.size(); ++i) {
    for (const auto& [labels, instance] : instances_[i]) {
      nlohmann::json label_json = nlohmann::json::object();
      for (const auto& [name, value] : labels) label_json[name] = value;
      out.push_back({{"alert", rules_[i].alert},
                     {"severity", to_string(rules_[i].severity)},
                     {"state", instance.firing ? "firing" : "pending"},
                     {"labels", label_json},
                     {"value", instance.value},
                     {"summary", render_summary(rules_[i], labels, instance.value)},
                     {"since", format_timestamp(instance.firing ? instance.fired_at
                                                                : instance.pending_since)},
                     {"seconds_since_data", seconds_between(instance.last_seen, now)}});
    }
  }
  return out;
}

}  // namespace cdcwatch
