#include "agent/alerting/alerting_engine.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>

#include "agent/alerting/silence_labels.h"
#include "agent/core/durable_file.h"

namespace cdcwatch {
namespace {

const MetricDef kStateWritable{"cdcwatch_state_dir_writable",
                               "1 when firing alerts are saved to state_dir; 0 when it cannot be "
                               "written (alerting continues from memory, a restart may re-page)"};

const MetricDef kStateQuarantined{"cdcwatch_state_file_quarantined_total",
                                  "Damaged alerts/firing.json files moved aside (renamed to "
                                  ".corrupt) at start; their alerts were re-evaluated",
                                  MetricType::kCounter};

constexpr Millis kEvaluateEvery{1000};

// The probes' readings and the agent's own: CdcNotificationsFailing reads the notifiers' queue
// age, CdcProbeFailing the probes' health, neither of which a probe publishes.
class CombinedView final : public ReadingsView {
 public:
  CombinedView(const ReadingsView& probes, const ReadingsView& agent)
      : probes_(probes), agent_(agent) {}
  std::vector<Series> find(std::string_view metric, const Labels& match) const override {
    std::vector<Series> out = probes_.find(metric, match);
    for (auto& series : agent_.find(metric, match)) out.push_back(std::move(series));
    return out;
  }

 private:
  const ReadingsView& probes_;
  const ReadingsView& agent_;
};

std::string outbox_name(const std::string& notifier) {
  std::string out = notifier;
  for (char& c : out) {
    if (c == '/') c = '-';
  }
  return out;
}

}  // namespace

AlertingEngine::AlertingEngine(AlertingSetup setup, const ReadingsView& view,
                               std::function<bool()> complete, const Clock& clock)
    : evaluator_(std::move(setup.rules),
                 {setup.alerts.min_time_before_resolve, setup.alerts.missing_data_hold,
                  setup.alerts.retrigger_interval}),
      grouping_mode_(setup.alerts.grouping),
      grouping_(evaluator_.rules(), setup.alerts.retrigger_interval),
      suppression_(setup.state_dir, std::move(setup.maintenance)),
      view_(view),
      complete_(std::move(complete)),
      clock_(clock),
      state_file_((std::filesystem::path(setup.state_dir) / "alerts" / "firing.json").string()) {
  for (auto& notifier : build_notifiers(setup.notifiers, setup.runbook_base_url)) {
    std::string dir =
        (std::filesystem::path(setup.state_dir) / "outbox" / outbox_name(notifier->name()))
            .string();
    workers_.push_back(std::make_unique<DeliveryWorker>(std::move(notifier), dir, clock,
                                                        setup.notifiers.retry_max_delay));
  }
  // An empty board is one the pipeline stage has not published yet: placements are remembered.
  evaluator_.place_with([this](std::vector<ActiveInstance>& active) {
    placement_.place(active, evaluator_.rules(), pipelines_, !pipelines_.empty());
  });
  evaluator_.suppress_with([this](const ActiveInstance& instance, const Labels& alert_labels) {
    for (const auto& labels : silence_label_sets(instance, alert_labels, pipelines_)) {
      if (auto suppression = suppression_.suppressed(labels)) return suppression;
    }
    return std::optional<Suppression>();
  });
  evaluator_.plan_pages_with(
      [this](std::vector<ActiveInstance> active, TimePoint now, std::vector<AlertEvent>& pages) {
        return plan_pages(std::move(active), now, pages);
      });
  restore();
}

std::vector<ActiveInstance> AlertingEngine::plan_pages(std::vector<ActiveInstance> active,
                                                       TimePoint now,
                                                       std::vector<AlertEvent>& pages) {
  if (grouping_mode_ == Grouping::kAlert) return active;
  if (resolve_quiet_pipelines_ && complete_now_ && !pipelines_.empty()) {
    resolve_quiet_pipelines_ = false;
    grouping_.resolve_quiet_pipelines(active, pipelines_, now, pages);
  }
  std::vector<ActiveInstance> outside = grouping_.take(active, pipelines_, now, pages);
  if (!complete_now_) {
    for (auto& instance : outside) instance.waiting_for_pipelines = true;
  }
  return outside;
}

AlertingEngine::~AlertingEngine() { stop(); }

namespace {

// A pipeline incident resolved after the last save: its instances were all clear.
void forget_pipeline(std::map<std::string, std::map<std::string, FiringInstance>>& firing,
                     const AlertEvent& resolve) {
  std::string pipeline = resolve.incident.value("pipeline", "");
  for (auto& [key, by_alert] : firing) {
    std::erase_if(by_alert, [&](const auto& entry) {
      const auto& placed = entry.second.placed;
      return std::any_of(placed.begin(), placed.end(),
                         [&](const Attribution& at) { return at.pipeline == pipeline; });
    });
  }
}

// A pipeline incident triggered after the last save: its symptoms were firing, placed on the
// pipeline. Each takes the incident's start as when it fired (the trigger lists the symptoms'
// alerts, labels and hops, not a machine-readable time of each). A malformed symptom is passed
// over: its alert, if still firing, fires anew.
void remember_symptoms(std::map<std::string, std::map<std::string, FiringInstance>>& firing,
                       const AlertEvent& trigger, const AlertEvaluator& evaluator) {
  std::string pipeline = trigger.incident.value("pipeline", "");
  auto symptoms = trigger.incident.find("symptoms");
  if (pipeline.empty() || symptoms == trigger.incident.end() || !symptoms->is_array()) return;
  for (const auto& symptom : *symptoms) {
    FiringInstance instance;
    std::string hop;
    try {  // as parse_firing reads firing.json: a field of the wrong type throws
      instance.alert = symptom.at("alert").get<std::string>();
      hop = symptom.at("hop").get<std::string>();
      if (!symptom.at("labels").is_object()) continue;
      for (const auto& [name, value] : symptom.at("labels").items())
        instance.labels.emplace_back(name, value.get<std::string>());
    } catch (const nlohmann::json::exception&) {
      continue;
    }
    instance.fired_at = trigger.started_at;
    Attribution at{pipeline, hop};
    auto& by_alert = firing[evaluator.dedup_key_of(instance.alert, instance.labels)];
    auto known = by_alert.find(instance.alert);
    if (known == by_alert.end()) {
      instance.placed.push_back(at);
      by_alert.emplace(instance.alert, std::move(instance));
    } else if (std::find(known->second.placed.begin(), known->second.placed.end(), at) ==
               known->second.placed.end()) {
      known->second.placed.push_back(at);
    }
  }
}

}  // namespace

// Firing instances come from the state file, then from events still in an outbox: those were
// decided (and maybe paged) after the last save, so they win.
void AlertingEngine::restore() {
  // dedup_key (an escalation chain's rules share one) -> alert -> instance
  std::map<std::string, std::map<std::string, FiringInstance>> firing;
  if (auto content = read_whole_file(state_file_)) {
    std::string damage;
    for (auto& instance : parse_firing(*content, damage)) {
      firing[evaluator_.dedup_key_of(instance.alert, instance.labels)][instance.alert] = instance;
    }
    if (!damage.empty()) quarantine_state_file(damage);
  }
  if (!workers_.empty()) {
    for (const auto& event : workers_.front()->outbox().pending()) {
      if (!event.incident.is_null()) {
        if (event.action == AlertEvent::Action::kResolve) {
          forget_pipeline(firing, event);
        } else {
          remember_symptoms(firing, event, evaluator_);
        }
      } else if (event.action == AlertEvent::Action::kTrigger) {
        firing[event.dedup_key][event.alert] = {event.alert, event.labels, event.started_at, {}};
      } else {
        firing.erase(event.dedup_key);
      }
    }
  }
  std::vector<FiringInstance> instances;
  for (auto& [key, by_alert] : firing) {
    for (auto& [alert, instance] : by_alert) {
      placement_.remember(instance.alert, instance.labels, instance.placed);
      if (grouping_mode_ == Grouping::kAlert) instance.placed.clear();
      instances.push_back(instance);
    }
  }
  grouping_.restore(evaluator_.restore(instances, clock_.now()), clock_.now());
  if (!instances.empty())
    spdlog::info("restored {} firing alerts from {}", instances.size(), state_file_);
}

// The entries that parse; `damage` says what did not.
std::vector<FiringInstance> AlertingEngine::parse_firing(const std::string& content,
                                                         std::string& damage) const {
  std::vector<FiringInstance> out;
  auto json = nlohmann::json::parse(content, nullptr, false);
  if (!json.is_array()) {
    damage = json.is_discarded() ? "not valid JSON (cut short?)" : "not a JSON array";
    return out;
  }
  for (const auto& item : json) {
    try {
      FiringInstance instance;
      instance.alert = item.at("alert").get<std::string>();
      for (const auto& [name, value] : item.at("labels").items()) {
        instance.labels.emplace_back(name, value.get<std::string>());
      }
      instance.fired_at =
          TimePoint(std::chrono::milliseconds(item.at("fired_at_ms").get<int64_t>()));
      for (const auto& placed : item.value("pipelines", nlohmann::json::array())) {
        instance.placed.push_back(
            {placed.at("pipeline").get<std::string>(), placed.at("hop").get<std::string>()});
      }
      out.push_back(std::move(instance));
    } catch (const std::exception&) {
      damage = "an entry without alert, labels or fired_at_ms, or with malformed pipelines";
    }
  }
  return out;
}

// The incidents the file held are unknown now: keep the file for a person, and have the first
// complete evaluation resolve every incident whose condition is clear (every quiet pipeline's).
void AlertingEngine::quarantine_state_file(const std::string& damage) {
  std::error_code error;
  std::filesystem::rename(state_file_, state_file_ + ".corrupt", error);
  ++state_quarantined_;
  spdlog::error(
      "{} is damaged ({}); {} as firing.json.corrupt. Alerts are re-evaluated from fresh readings "
      "and a resolve is sent for every alert whose condition is clear",
      state_file_, damage, error ? "it could not be moved aside" : "moved aside");
  evaluator_.resolve_clear_series_once();
  resolve_quiet_pipelines_ = true;
}

void AlertingEngine::save_firing() {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& instance : evaluator_.firing()) {
    nlohmann::json labels = nlohmann::json::object();
    for (const auto& [name, value] : instance.labels) labels[name] = value;
    nlohmann::json entry = {{"alert", instance.alert},
                            {"labels", labels},
                            {"fired_at_ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                                                instance.fired_at.time_since_epoch())
                                                .count()}};
    for (const auto& placed : placement_.of(instance.alert, instance.labels)) {
      entry["pipelines"].push_back({{"pipeline", placed.pipeline}, {"hop", placed.hop}});
    }
    out.push_back(std::move(entry));
  }
  try {
    create_private_directory(std::filesystem::path(state_file_).parent_path().string());
    write_file_durably(state_file_, out.dump());
    if (!state_problem_.empty()) spdlog::info("{} is writable again", state_file_);
    state_problem_.clear();
  } catch (const std::exception& e) {
    if (state_problem_.empty()) {
      spdlog::error("cannot save firing alerts: {}; alerting continues from memory", e.what());
    }
    state_problem_ = e.what();
  }
}

void AlertingEngine::add_readings_source(std::function<Readings()> source) {
  readings_sources_.push_back(std::move(source));
}

void AlertingEngine::set_pipelines_source(std::function<nlohmann::json()> source) {
  pipelines_source_ = std::move(source);
}

Readings AlertingEngine::own_readings() const {
  Readings out;
  TimePoint now = clock_.now();
  for (const auto& worker : workers_) worker->append_readings(out, now);
  for (const auto& source : readings_sources_) out.append(source());
  return out;
}

void AlertingEngine::evaluate() {
  ReadingsStore agent;
  agent.publish("cdcwatch", own_readings());
  CombinedView view(view_, agent);
  nlohmann::json board = pipelines_source_ ? pipelines_source_() : nlohmann::json::array();
  bool complete = complete_();
  std::lock_guard lock(evaluate_mutex_);
  pipelines_ = pipelines_from_board(board);
  complete_now_ = complete;
  suppression_.refresh(clock_.now());
  auto events = evaluator_.evaluate(view, clock_.now(), complete);
  if (events.empty()) return;
  for (const auto& event : events) {
    spdlog::log(
        event.action == AlertEvent::Action::kTrigger ? spdlog::level::warn : spdlog::level::info,
        "alert {} {}: {} [{}]", event.alert,
        event.action == AlertEvent::Action::kTrigger ? "firing" : "resolved", event.summary,
        event.dedup_key);
  }
  // Outbox first: if we crash before saving the state, restore() still learns the change there.
  for (const auto& event : events) {
    for (auto& worker : workers_) worker->enqueue(event);
  }
  save_firing();
}

void AlertingEngine::start() {
  for (auto& worker : workers_) worker->start();
  thread_ = std::thread([this] { run(); });
}

void AlertingEngine::stop() {
  {
    std::lock_guard lock(wake_mutex_);
    stopping_ = true;
  }
  wake_signal_.notify_all();
  if (thread_.joinable()) thread_.join();
  for (auto& worker : workers_) worker->stop();
}

void AlertingEngine::wake() {
  std::lock_guard lock(wake_mutex_);
  woken_ = true;
  wake_signal_.notify_all();
}

void AlertingEngine::run() {
  while (true) {
    {
      std::unique_lock lock(wake_mutex_);
      wake_signal_.wait_for(lock, kEvaluateEvery, [this] { return woken_ || stopping_; });
      if (stopping_) return;
      woken_ = false;
    }
    try {
      evaluate();
    } catch (const std::exception& e) {
      spdlog::error("alert evaluation failed: {}", e.what());
    }
  }
}

Readings AlertingEngine::readings() const {
  Readings out;
  {
    std::lock_guard lock(evaluate_mutex_);
    out = evaluator_.state_readings();
    out.set(kStateWritable, {}, state_problem_.empty() ? 1 : 0);
    out.set(kStateQuarantined, {}, static_cast<double>(state_quarantined_));
  }
  TimePoint now = clock_.now();
  for (const auto& worker : workers_) worker->append_readings(out, now);
  return out;
}

nlohmann::json AlertingEngine::status_json() const {
  TimePoint now = clock_.now();
  nlohmann::json out;
  {
    std::lock_guard lock(evaluate_mutex_);
    out["rules"] = evaluator_.rules().size();
    out["grouping"] = to_string(grouping_mode_);
    out["active"] = evaluator_.status_json(now);
    for (auto& entry : out["active"]) {
      Labels labels;
      for (const auto& [name, value] : entry["labels"].items()) labels.emplace_back(name, value);
      for (const auto& [name, value] : attribution_labels(placement_.of(entry["alert"], labels))) {
        entry[name] = value;
      }
    }
    out["suppression"] = suppression_.status_json();
    out["state_file"] = state_file_;
    if (!state_problem_.empty()) out["state_problem"] = state_problem_;
  }
  out["notifiers"] = nlohmann::json::array();
  for (const auto& worker : workers_) out["notifiers"].push_back(worker->status_json(now));
  return out;
}

nlohmann::json AlertingEngine::pipeline_incident(const std::string& pipeline) const {
  std::lock_guard lock(evaluate_mutex_);
  return grouping_.incident_json(pipeline);
}

}  // namespace cdcwatch
