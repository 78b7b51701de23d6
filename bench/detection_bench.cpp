// Detection time: for each case-study incident, the time from injecting the fault into the
// pipeline simulator to cdcwatch's PagerDuty request, over several runs.
// Usage: detection_bench [runs] defaults
//          the shipped alerts/rules.yml and every default (15 s interval, 60 s canary threshold)
//        detection_bench [runs] [interval seconds] [stale_after seconds]
//          drill thresholds: the canary, task and Kafka rules shortened to `for: 0s`/`2s`
// Prints a Markdown table with the bound each incident should meet: the rule's threshold (how
// stale the canary may get) plus its `for` plus two intervals.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "tests/support/eventually.h"
#include "tests/support/watched_pipeline.h"

namespace {

using namespace cdcwatch;
using testing::Fault;

struct Incident {
  const char* name;
  Fault fault;
  const char* alert;
  double threshold_and_for;  // seconds the rule itself waits once the fault is in place
};

// Paging one incident per alert: each row times one alert from injection to its own page.
std::unique_ptr<testing::WatchedPipeline> watch(bool defaults, int interval_s, int stale_after_s) {
  return std::make_unique<testing::WatchedPipeline>(
      testing::DrillSettings{.interval = std::to_string(interval_s) + "s",
                             .stale_after = std::to_string(stale_after_s) + "s",
                             .shipped_defaults = defaults,
                             .grouping = "alert"});
}

struct Run {
  double seconds = -1;           // from injection to the page; -1 when it never came
  std::set<std::string> others;  // other alerts paged during the run (noise, or a second view)
};

// One run: a fresh pipeline and agent.
Run run_once(const Incident& incident, bool defaults, int interval_s, int stale_after_s) {
  auto watched = watch(defaults, interval_s, stale_after_s);
  testing::WatchedPipeline& pipeline = *watched;
  bool healthy = testing::eventually(
      [&] {
        auto freshness = pipeline.warehouse_freshness();
        return freshness && *freshness < 2.0 * interval_s + 1;
      },
      std::chrono::seconds(120));
  if (!healthy) return {};
  auto injected = std::chrono::steady_clock::now();
  pipeline.sim.set_fault(incident.fault, true);
  Run run;
  if (testing::eventually([&] { return pipeline.pagerduty.has_event(incident.alert, "trigger"); },
                          std::chrono::seconds(600))) {
    run.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - injected).count();
  }
  pipeline.sim.set_fault(incident.fault, false);
  testing::eventually([&] { return pipeline.pagerduty.has_event(incident.alert, "resolve"); },
                      std::chrono::seconds(120));
  for (const auto& event : pipeline.pagerduty.accepted()) {
    std::string alert = event.contains("payload") ? event["payload"].value("class", "") : "";
    if (event.value("event_action", "") == "trigger" && alert != incident.alert) {
      run.others.insert(alert);
    }
  }
  return run;
}

}  // namespace

int main(int argc, char** argv) {
  int runs = argc > 1 ? std::stoi(argv[1]) : 3;
  const bool defaults = argc > 2 && std::string(argv[2]) == "defaults";
  // The shipped defaults: agent.interval 15s; alerts/rules.yml: canary stale above 60s with no
  // `for`, a FAILED task for 1m, Kafka down for 2m.
  int interval = defaults ? 15 : argc > 2 ? std::stoi(argv[2]) : 1;
  int stale_after = defaults ? 60 : argc > 3 ? std::stoi(argv[3]) : 10;
  const double task_for = defaults ? 60 : 0;
  const double kafka_for = defaults ? 120 : 2;
  const std::vector<Incident> incidents = {
      {"sink RUNNING but stalled (Challenge 4)", Fault::kSinkStalled, "CdcCanaryStaleAtWarehouse",
       double(stale_after)},
      {"capture stopped (Challenge 2)", Fault::kCaptureStopped, "CdcCanaryStaleAtKafka",
       double(stale_after)},
      {"sink task FAILED", Fault::kSinkTaskFailed, "CdcConnectorTaskFailed", task_for},
      {"all Kafka brokers down", Fault::kBrokersDown, "CdcKafkaDown", kafka_for},
      {"slow warehouse", Fault::kWarehouseSlow, "CdcCanaryStaleAtWarehouse", double(stale_after)}};
  std::printf("%d runs per incident, %s, interval %d s, canary threshold %d s\n\n", runs,
              defaults ? "shipped rules and defaults" : "drill thresholds", interval, stale_after);
  std::printf(
      "| incident | alert | median s | min s | max s | bound s (threshold + for + 2 intervals) "
      "| other alerts paged |\n");
  std::printf("| --- | --- | ---: | ---: | ---: | ---: | --- |\n");
  for (const auto& incident : incidents) {
    std::vector<double> times;
    std::set<std::string> others;
    for (int i = 0; i < runs; ++i) {
      Run run = run_once(incident, defaults, interval, stale_after);
      times.push_back(run.seconds);
      others.insert(run.others.begin(), run.others.end());
    }
    std::sort(times.begin(), times.end());
    std::string other_list;
    for (const auto& alert : others) other_list += (other_list.empty() ? "" : ", ") + alert;
    std::printf("| %s | %s | %.1f | %.1f | %.1f | %.0f | %s |\n", incident.name, incident.alert,
                times[times.size() / 2], times.front(), times.back(),
                incident.threshold_and_for + 2.0 * interval,
                other_list.empty() ? "none" : other_list.c_str());
    std::fflush(stdout);
  }
  return 0;
}
