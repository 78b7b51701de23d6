#include "agent/alerting/incident_book.h"

#include <algorithm>

namespace cdcwatch {

Labels labels_with_placement(const ActiveInstance& instance) {
  Labels out = instance.labels;
  for (auto& label : attribution_labels(instance.placed)) {
    if (!label_value(out, label.first)) out.push_back(std::move(label));
  }
  std::sort(out.begin(), out.end());
  return out;
}

IncidentBook::IncidentBook(const std::vector<AlertRule>& rules, Millis retrigger_interval)
    : rules_(rules), retrigger_interval_(retrigger_interval) {
  for (size_t i = 0; i < rules_.size(); ++i) {
    size_t at = i;
    size_t rank = 0;
    for (; rank <= rules_.size() && !rules_[at].escalates.empty(); ++rank) {
      auto lesser = std::find_if(rules_.begin(), rules_.end(), [&](const AlertRule& r) {
        return r.alert == rules_[at].escalates;
      });
      if (lesser == rules_.end()) break;
      at = static_cast<size_t>(lesser - rules_.begin());
    }
    root_.push_back(at);
    rank_.push_back(rank);
  }
}

IncidentBook::Key IncidentBook::key_of(size_t rule, const Labels& labels) const {
  Labels identity;
  for (const auto& label : labels) {
    bool matched = std::any_of(rules_[rule].match.begin(), rules_[rule].match.end(),
                               [&](const auto& m) { return m.first == label.first; });
    if (!matched) identity.push_back(label);
  }
  return {root_[rule], identity};
}

std::string IncidentBook::dedup_key(size_t rule, const Labels& labels) const {
  auto [root, labels_of_root] = key_of(rule, labels);
  for (const auto& match : rules_[root].match) labels_of_root.push_back(match);
  return dedup_key_for(rules_[root].alert, labels_of_root);
}

AlertEvent IncidentBook::trigger_for(const ActiveInstance& instance, const Key& key,
                                     TimePoint started, TimePoint now) const {
  const AlertRule& rule = rules_[instance.rule];
  AlertEvent event;
  event.action = AlertEvent::Action::kTrigger;
  event.alert = rule.alert;
  event.labels = instance.labels;
  Labels root_labels = key.second;
  for (const auto& match : rules_[key.first].match) root_labels.push_back(match);
  event.dedup_key = dedup_key_for(rules_[key.first].alert, root_labels);
  event.severity = to_string(rule.severity);
  event.stage = rule.stage;
  event.value = instance.value;
  event.summary = render_summary(rule, instance.labels, instance.value);
  event.runbook = rule.runbook;
  event.condition = describe_condition(rule);
  event.for_text = format_duration(rule.for_duration);
  event.started_at = started;
  event.created_at = now;
  return event;
}

AlertEvent IncidentBook::resolve_for(const ActiveInstance& instance, TimePoint now) const {
  AlertEvent event = trigger_for(instance, key_of(instance.rule, instance.labels), now, now);
  event.action = AlertEvent::Action::kResolve;
  return event;
}

void IncidentBook::send(Incident& incident, AlertEvent trigger, std::vector<AlertEvent>& events) {
  incident.severities.insert(trigger.severity);
  incident.last_sent = trigger.created_at;
  incident.paged = trigger;
  events.push_back(std::move(trigger));
}

std::vector<AlertEvent> IncidentBook::update(const std::vector<ActiveInstance>& active,
                                             TimePoint now) {
  std::map<Key, const ActiveInstance*> highest_firing;
  std::set<Key> live;
  for (const auto& instance : active) {
    Key key = key_of(instance.rule, instance.labels);
    live.insert(key);
    if (!instance.pages()) continue;
    const ActiveInstance*& highest = highest_firing[key];
    if (!highest || rank_[instance.rule] > rank_[highest->rule]) highest = &instance;
  }
  std::vector<AlertEvent> events;
  for (auto it = incidents_.begin(); it != incidents_.end();) {
    if (live.contains(it->first)) {
      ++it;
      continue;
    }
    append_resolves(it->second.paged, it->second.severities, now, events);
    it = incidents_.erase(it);
  }
  for (const auto& [key, instance] : highest_firing) {
    auto found = incidents_.find(key);
    if (found == incidents_.end()) {
      send(incidents_[key], trigger_for(*instance, key, now, now), events);
    } else if (found->second.paged.alert != rules_[instance->rule].alert ||
               now - found->second.last_sent >= retrigger_interval_) {
      send(found->second, trigger_for(*instance, key, found->second.paged.started_at, now), events);
    }
  }
  return events;
}

void IncidentBook::restore(const std::vector<ActiveInstance>& firing, TimePoint now) {
  std::vector<const ActiveInstance*> lowest_first;
  for (const auto& instance : firing) lowest_first.push_back(&instance);
  std::stable_sort(lowest_first.begin(), lowest_first.end(),
                   [&](const auto* a, const auto* b) { return rank_[a->rule] < rank_[b->rule]; });
  for (const auto* instance : lowest_first) {
    Key key = key_of(instance->rule, instance->labels);
    Incident& incident = incidents_[key];
    TimePoint started = incident.severities.empty()
                            ? instance->fired_at
                            : std::min(incident.paged.started_at, instance->fired_at);
    incident.paged = trigger_for(*instance, key, started, now);
    incident.severities.insert(incident.paged.severity);
    incident.last_sent = now;
  }
}

}  // namespace cdcwatch
