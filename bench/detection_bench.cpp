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

// One run: a fresh pipeline and agent; seconds from injection to the page, or -1.
double run_once(const Incident& incident, int interval_s, int stale_after_s) {
  testing::WatchedPipeline pipeline(std::to_string(interval_s) + "s",
                                    std::to_string(stale_after_s) + "s");
  bool healthy = testing::eventually(
      [&] {
        auto freshness = pipeline.warehouse_freshness();
        return freshness && *freshness < 2.0 * interval_s + 1;
      },
      std::chrono::seconds(120));
  if (!healthy) return -1;
  auto injected = std::chrono::steady_clock::now();
  pipeline.sim.set_fault(incident.fault, true);
  double seconds = -1;
  if (testing::eventually([&] { return pipeline.pagerduty.has_event(incident.alert, "trigger"); },
                          std::chrono::seconds(600))) {
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - injected).count();
  }
  pipeline.sim.set_fault(incident.fault, false);
  testing::eventually([&] { return pipeline.pagerduty.has_event(incident.alert, "resolve"); },
                      std::chrono::seconds(120));
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
