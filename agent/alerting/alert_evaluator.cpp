#include "agent/alerting/alert_evaluator.h"

#include <algorithm>
#include <set>

namespace cdcwatch {
namespace {

const MetricDef kAlertState{"cdcwatch_alert_state",
                            "State of each alert instance: 0 inactive, 1 pending, 2 firing"};
const MetricDef kAlertSilenced{"cdcwatch_alert_silenced",
                               "1 when a silence or maintenance window keeps this pending or "
                               "firing alert instance from paging, else 0"};

Labels sorted(Labels labels) {
  std::sort(labels.begin(), labels.end());
  return labels;
}

// An observer reading covers a series when the labels they share agree (cdcwatch_pg_up{source}
// covers every slot series of that source).
bool covers(const Labels& observer, const Labels& series) {
  return std::all_of(observer.begin(), observer.end(), [&](const auto& label) {
    auto value = label_value(series, label.first);
    return !value || *value == label.second;
  });
}

}  // namespace

AlertEvaluator::AlertEvaluator(std::vector<AlertRule> rules, EvaluatorOptions options)
    : rules_(std::move(rules)),
      options_(options),
      instances_(rules_.size()),
      book_(rules_, options.retrigger_interval) {}

std::vector<ActiveInstance> AlertEvaluator::restore(const std::vector<FiringInstance>& instances,
                                                    TimePoint now) {
  std::vector<ActiveInstance> restored;
  std::vector<ActiveInstance> placed;
  for (const auto& firing : instances) {
    for (size_t i = 0; i < rules_.size(); ++i) {
      if (rules_[i].alert != firing.alert) continue;
      Labels labels = sorted(firing.labels);
      Instance& instance = instances_[i][labels];
      instance.labels = labels;
      instance.firing = true;
      instance.pending_since = instance.fired_at = firing.fired_at;
      instance.last_breach = instance.last_seen = instance.last_known = now;
      ActiveInstance active{i, labels, true, 0, firing.fired_at, firing.placed};
      (firing.placed.empty() ? restored : placed).push_back(std::move(active));
    }
  }
  book_.restore(restored, now);
  return placed;
}

AlertEvaluator::Sight AlertEvaluator::sight_of(const AlertRule& rule, const Labels& labels,
                                               const ReadingsView& view) const {
  if (rule.observer.empty()) return Sight::kNoReading;
  bool covered = false;
  for (const auto& up : view.find(rule.observer, {})) {
    if (!covers(up.labels, labels)) continue;
    if (up.value != 1) return Sight::kBlind;
    covered = true;
  }
  return covered ? Sight::kSeen : Sight::kNoReading;
}

std::vector<AlertEvent> AlertEvaluator::evaluate(const ReadingsView& view, TimePoint now,
                                                 bool complete) {
  for (size_t i = 0; i < rules_.size(); ++i) {
    const AlertRule& rule = rules_[i];
    InstanceMap& instances = instances_[i];
    std::vector<Series> found = view.find(rule.metric, rule.match);
    bool absent_rule = rule.condition == Condition::kAbsent;
    bool absent_blind = absent_rule && sight_of(rule, rule.match, view) == Sight::kBlind;
    std::map<Labels, double> current;
    if (absent_rule) {
      if (complete && found.empty() && !absent_blind) current[rule.match] = 0;
    } else {
      for (auto& series : found) current[sorted(series.labels)] = series.value;
    }
    for (auto it = instances.begin(); it != instances.end();) {
      Instance& instance = it->second;
      bool over = false;
      auto seen = current.find(it->first);
      if (seen != current.end()) {
        instance.last_seen = instance.last_known = now;
        instance.blind = false;
        instance.value = seen->second;
        over =
            step(rule, instance, absent_rule || rule.breached(seen->second, instance.firing), now);
        current.erase(seen);
      } else if (absent_rule) {
        over = !absent_blind && step(rule, instance, false, now);  // the series is back
      } else {
        over = missing(instance, sight_of(rule, it->first, view), now);
      }
      it = over ? instances.erase(it) : std::next(it);
    }
    for (const auto& [labels, value] : current) {
      if (!absent_rule && !rule.breached(value, false)) continue;
      Instance instance;
      instance.labels = labels;
      instance.pending_since = instance.last_seen = instance.last_known = now;
      instance.value = value;
      step(rule, instance, true, now);
      instances.emplace(labels, instance);
    }
  }
  std::vector<AlertEvent> events;
  std::vector<ActiveInstance> listed = active();
  if (placer_) placer_(listed);
  mark_suppressed(listed, now);
  if (planner_) listed = planner_(std::move(listed), now, events);
  for (auto& event : book_.update(listed, now)) events.push_back(std::move(event));
  if (resolve_clear_series_ && complete) {
    resolve_clear_series_ = false;
    for (auto& resolve : resolves_for_clear_series(view, now)) events.push_back(std::move(resolve));
  }
  return events;
}

std::vector<AlertEvent> AlertEvaluator::resolves_for_clear_series(const ReadingsView& view,
                                                                  TimePoint now) const {
  std::set<std::string> held;  // incidents a rule still holds: pending, firing or breached
  for (const auto& instance : active())
    held.insert(book_.dedup_key(instance.rule, instance.labels));
  std::vector<ActiveInstance> clear;
  for (size_t i = 0; i < rules_.size(); ++i) {
    if (rules_[i].condition == Condition::kAbsent) continue;
    for (const auto& series : view.find(rules_[i].metric, rules_[i].match)) {
      Labels labels = sorted(series.labels);
      if (rules_[i].breached(series.value, true)) {
        held.insert(book_.dedup_key(i, labels));
      } else {
        clear.push_back({i, labels, false, series.value, now});
      }
    }
  }
  std::vector<AlertEvent> out;
  std::set<std::pair<std::string, std::string>> sent;  // (dedup_key, severity)
  for (const auto& instance : clear) {
    AlertEvent resolve = book_.resolve_for(instance, now);
    resolve.unconfirmed = true;
    if (held.contains(resolve.dedup_key)) continue;
    if (sent.insert({resolve.dedup_key, resolve.severity}).second)
      out.push_back(std::move(resolve));
  }
  return out;
}

bool AlertEvaluator::missing(Instance& instance, Sight sight, TimePoint now) const {
  if (!instance.firing) return true;
  instance.blind = sight == Sight::kBlind;
  if (instance.blind) {
    instance.last_known = now;
    return false;
  }
  return now - instance.last_known >= options_.missing_data_hold;
}

bool AlertEvaluator::step(const AlertRule& rule, Instance& instance, bool breach,
                          TimePoint now) const {
  if (!instance.firing) {
    if (!breach) return true;
    if (now - instance.pending_since >= rule.for_duration) {
      instance.firing = true;
      instance.fired_at = instance.last_breach = now;
    }
    return false;
  }
  if (breach) {
    instance.last_breach = now;
    return false;
  }
  return now - instance.last_breach >= rule.keep_firing_for &&
         now - instance.fired_at >= options_.min_time_before_resolve;
}

Labels AlertEvaluator::alert_labels(size_t rule, const Labels& labels) const {
  Labels all = {{"alert", rules_[rule].alert}, {"severity", to_string(rules_[rule].severity)}};
  for (const auto& label : labels) {
    if (label.first != "alert" && label.first != "severity") all.push_back(label);
  }
  return all;
}

void AlertEvaluator::mark_suppressed(std::vector<ActiveInstance>& active, TimePoint now) {
  for (auto& listed : active) {
    Instance& instance = instances_[listed.rule].at(listed.labels);
    instance.suppressed =
        suppression_
            ? suppression_(listed, alert_labels(listed.rule, labels_with_placement(listed)))
            : std::nullopt;
    if (!instance.suppressed) {
      instance.held = false;
    } else if (instance.firing && instance.fired_at == now) {
      instance.held = true;
    }
    listed.suppressed = instance.suppressed.has_value();
  }
}

std::vector<ActiveInstance> AlertEvaluator::active() const {
  std::vector<ActiveInstance> out;
  for (size_t i = 0; i < rules_.size(); ++i) {
    for (const auto& [labels, instance] : instances_[i]) {
      out.push_back({i, labels, instance.firing, instance.value, instance.fired_at});
    }
  }
  return out;
}

std::vector<FiringInstance> AlertEvaluator::firing() const {
  std::vector<FiringInstance> out;
  for (size_t i = 0; i < rules_.size(); ++i) {
    for (const auto& [labels, instance] : instances_[i]) {
      if (instance.firing && !instance.held)
        out.push_back({rules_[i].alert, labels, instance.fired_at});
    }
  }
  return out;
}

std::string AlertEvaluator::dedup_key_of(const std::string& alert, const Labels& labels) const {
  for (size_t i = 0; i < rules_.size(); ++i) {
    if (rules_[i].alert == alert) return book_.dedup_key(i, sorted(labels));
  }
  return dedup_key_for(alert, labels);
}

Readings AlertEvaluator::state_readings() const {
  Readings readings;
  for (size_t i = 0; i < rules_.size(); ++i) {
    if (instances_[i].empty()) readings.set(kAlertState, alert_labels(i, {}), 0);
    for (const auto& [labels, instance] : instances_[i]) {
      Labels all = alert_labels(i, labels);
      readings.set(kAlertState, all, instance.firing ? 2 : 1);
      readings.set(kAlertSilenced, all, instance.suppressed ? 1 : 0);
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
                     {"dedup_key", book_.dedup_key(i, labels)},
                     {"value", instance.value},
                     {"summary", render_summary(rules_[i], labels, instance.value)},
                     {"since", format_timestamp(instance.firing ? instance.fired_at
                                                                : instance.pending_since)},
                     {"seconds_since_data", seconds_between(instance.last_seen, now)},
                     {"observer_blind", instance.blind}});
      if (const auto& suppressed = instance.suppressed) {
        out.back()["suppressed_by"] = suppressed->silence_id.empty()
                                          ? nlohmann::json{{"maintenance", suppressed->maintenance}}
                                          : nlohmann::json{{"silence", suppressed->silence_id}};
      }
    }
  }
  return out;
}

}  // namespace cdcwatch
