// Alerting as a whole: evaluates the rules on the agent's fresh readings after each probe cycle
// (and at least every second, so `for` durations end on time), remembers firing instances in
// `state_dir` so a restart neither re-pages nor forgets an open incident, and hands each page to
// every notifier's outbox. Each evaluation places the active instances on their pipelines
// (instance_placement.h) and, with `alerts.grouping: pipeline`, pages one incident per pipeline
// (incident_grouping.h); the incident book pages the rest one alert instance at a time.
// Thread-safe.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "agent/alerting/alert_evaluator.h"
#include "agent/alerting/alerts_config.h"
#include "agent/alerting/delivery_worker.h"
#include "agent/alerting/incident_grouping.h"
#include "agent/alerting/instance_placement.h"
#include "agent/alerting/pipeline_snapshot.h"
#include "agent/core/readings_store.h"
#include "agent/core/readings_view.h"
#include "agent/silences/maintenance.h"
#include "agent/silences/suppression_filter.h"

namespace cdcwatch {

struct AlertingSetup {
  std::vector<AlertRule> rules;
  AlertsConfig alerts;
  NotifiersConfig notifiers;
  std::string runbook_base_url;
  std::string state_dir;
  std::vector<MaintenanceWindow> maintenance;
};

class AlertingEngine {
 public:
  // `complete` says whether every probe has reported once (absent rules wait for it).
  AlertingEngine(AlertingSetup setup, const ReadingsView& view, std::function<bool()> complete,
                 const Clock& clock);
  ~AlertingEngine();

  // Readings of the agent itself that rules read besides the probes' (probe health for
  // CdcProbeFailing). Call before start(); the source must be thread-safe.
  void add_readings_source(std::function<Readings()> source);
  // The pipelines as GET /api/pipelines lists them (the pipeline stage's board): alerts are placed
  // on them. Call before start(); the source must be thread-safe. Without it no alert is placed.
  void set_pipelines_source(std::function<nlohmann::json()> source);
  void start();  // the evaluation thread and the notifiers' delivery threads
  void stop();
  void wake();  // a probe finished a cycle
  // One evaluation now; the thread calls it, tests may call it directly with a fake clock.
  void evaluate();

  Readings readings() const;
  nlohmann::json status_json() const;
  // The open incident of `pipeline` (IncidentGrouping::incident_json); null when there is none.
  nlohmann::json pipeline_incident(const std::string& pipeline) const;

 private:
  void run();
  Readings own_readings() const;  // the notifiers' and the sources' readings
  void restore();
  std::vector<FiringInstance> parse_firing(const std::string& content, std::string& damage) const;
  void quarantine_state_file(const std::string& damage);
  void save_firing();
  std::vector<ActiveInstance> plan_pages(std::vector<ActiveInstance> active, TimePoint now,
                                         std::vector<AlertEvent>& pages);

  AlertEvaluator evaluator_;
  Grouping grouping_mode_;
  InstancePlacement placement_;
  IncidentGrouping grouping_;
  std::function<nlohmann::json()> pipelines_source_;
  std::vector<PipelineSnapshot> pipelines_;  // as of the current evaluation
  bool complete_now_ = false;                // every probe has reported, as of this evaluation
  bool resolve_quiet_pipelines_ = false;     // the state file was damaged: see quarantine
  SuppressionFilter suppression_;  // silences (state_dir/silences.json) and maintenance windows
  const ReadingsView& view_;
  std::function<bool()> complete_;
  std::vector<std::function<Readings()>> readings_sources_;
  const Clock& clock_;
  std::string state_file_;
  std::vector<std::unique_ptr<DeliveryWorker>> workers_;
  mutable std::mutex evaluate_mutex_;
  std::string state_problem_;
  uint64_t state_quarantined_ = 0;
  std::thread thread_;
  std::mutex wake_mutex_;
  std::condition_variable wake_signal_;
  bool woken_ = false;
  bool stopping_ = false;
};

}  // namespace cdcwatch
