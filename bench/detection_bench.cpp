// Detection time: for each case-study incident, the time from injecting the fault into the
// pipeline simulator to cdcwatch's PagerDuty request, over several runs, at a given interval.
// Usage: detection_bench [runs] [interval seconds] [stale_after seconds]
// Prints a Markdown table with the bound each incident should meet: the rule's threshold (how
// stale the canary may get) plus its `for` plus two intervals.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "agent/app/agent.h"
#include "agent/app/config.h"
#include "tests/support/child_process.h"
#include "tests/support/drill_config.h"
#include "tests/support/eventually.h"
#include "tests/support/pagerduty_server.h"
#include "tests/support/pipeline_simulator.h"

namespace {

using namespace cdcwatch;
using testing::Fault;

struct Incident {
  const char* name;
  Fault fault;
  const char* alert;
  double threshold_and_for;  // seconds the rule itself waits once the fault is in place
};

// One run: a fresh pipeline and agent; seconds from injection to the page, or -1.
double run_once(const Incident& incident, int interval_s, int stale_after_s) {
  testing::PipelineSimulator sim({.orders_per_second = 5});
  testing::PagerDutyServer pagerduty;
  pagerduty.start();
  testing::TempDir state;
  Config config = parse_config(ConfigNode::load_string(
      testing::drill_config(sim, {.state_dir = state.path(),
                                  .pagerduty_url = pagerduty.url(),
                                  .interval = std::to_string(interval_s) + "s",
                                  .stale_after = std::to_string(stale_after_s) + "s"}),
      "bench.yml"));
  SystemClock clock;
  Agent agent(config, clock);
  agent.start();
  bool healthy = testing::eventually(
      [&] {
        auto freshness = testing::series_value(
            agent.metrics_text(),
            "cdcwatch_canary_freshness_seconds{canary=\"shop\",stage=\"warehouse\"}");
        return freshness && *freshness < 2.0 * interval_s + 1;
      },
      std::chrono::seconds(120));
  double seconds = -1;
  if (healthy) {
    auto injected = std::chrono::steady_clock::now();
    sim.set_fault(incident.fault, true);
    if (testing::eventually([&] { return pagerduty.has_event(incident.alert, "trigger"); },
                            std::chrono::seconds(600))) {
      seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - injected).count();
    }
    sim.set_fault(incident.fault, false);
    testing::eventually([&] { return pagerduty.has_event(incident.alert, "resolve"); },
                        std::chrono::seconds(120));
  }
  agent.stop();
  return seconds;
}

}  // namespace

int main(int argc, char** argv) {
  int runs = argc > 1 ? std::stoi(argv[1]) : 3;
  int interval = argc > 2 ? std::stoi(argv[2]) : 1;
  int stale_after = argc > 3 ? std::stoi(argv[3]) : 10;
  const std::vector<Incident> incidents = {
      {"sink RUNNING but stalled (Challenge 4)", Fault::kSinkStalled, "CdcCanaryStaleAtWarehouse",
       double(stale_after)},
      {"capture stopped (Challenge 2)", Fault::kCaptureStopped, "CdcCanaryStaleAtKafka",
       double(stale_after)},
      {"sink task FAILED", Fault::kSinkTaskFailed, "CdcConnectorTaskFailed", 0},
      {"all Kafka brokers down", Fault::kBrokersDown, "CdcKafkaDown", 2}};
  std::printf("%d runs per incident, interval %d s, canary threshold %d s\n\n", runs, interval,
              stale_after);
  std::printf(
      "| incident | alert | median s | min s | max s | bound s (threshold + for + 2 intervals) "
      "|\n");
  std::printf("| --- | --- | ---: | ---: | ---: | ---: |\n");
  for (const auto& incident : incidents) {
    std::vector<double> times;
    for (int i = 0; i < runs; ++i) times.push_back(run_once(incident, interval, stale_after));
    std::sort(times.begin(), times.end());
    std::printf("| %s | %s | %.1f | %.1f | %.1f | %.0f |\n", incident.name, incident.alert,
                times[times.size() / 2], times.front(), times.back(),
                incident.threshold_and_for + 2.0 * interval);
    std::fflush(stdout);
  }
  return 0;
}
