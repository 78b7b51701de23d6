// The canary's measurement error: cdcwatch's mean canary latency per stage against the pipeline
// simulator's own record of when each canary row reached Kafka (the record's timestamp) and the
// warehouse (when the sink's MERGE returned), over a healthy run.
// Usage: canary_error_bench [seconds] [interval seconds]
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/watched_pipeline.h"

int main(int argc, char** argv) {
  using namespace cdcwatch;
  int seconds = argc > 1 ? std::stoi(argv[1]) : 60;
  int interval = argc > 2 ? std::stoi(argv[2]) : 1;
  std::string metrics;
  std::vector<testing::CanaryArrival> arrivals;
  {
    testing::WatchedPipeline pipeline(std::to_string(interval) + "s");
    std::this_thread::sleep_for(std::chrono::seconds(seconds));
    metrics = pipeline.agent->metrics_text();
    arrivals = pipeline.sim.canary_arrivals();
  }

  double truth_sum[2] = {0, 0};
  int truth_count[2] = {0, 0};
  for (const auto& arrival : arrivals) {
    if (arrival.agent_id != "drill") continue;
    truth_sum[0] += arrival.reached_kafka - arrival.written_at;
    ++truth_count[0];
    if (arrival.reached_warehouse > 0) {
      truth_sum[1] += arrival.reached_warehouse - arrival.written_at;
      ++truth_count[1];
    }
  }
  std::printf("%d s healthy run, interval %d s\n\n", seconds, interval);
  std::printf(
      "| stage | canaries (simulator / cdcwatch) | true mean latency ms | cdcwatch mean ms | error "
      "ms |\n");
  std::printf("| --- | --- | ---: | ---: | ---: |\n");
  const char* stages[] = {"kafka", "warehouse"};
  for (int i = 0; i < 2; ++i) {
    std::string labels = "{canary=\"shop\",stage=\"" + std::string(stages[i]) + "\"}";
    double sum =
        testing::series_value(metrics, "cdcwatch_canary_latency_seconds_sum" + labels).value_or(0);
    double count = testing::series_value(metrics, "cdcwatch_canary_latency_seconds_count" + labels)
                       .value_or(0);
    double truth = truth_count[i] ? truth_sum[i] / truth_count[i] * 1000 : 0;
    double measured = count > 0 ? sum / count * 1000 : 0;
    std::printf("| %s | %d / %.0f | %.0f | %.0f | %+.0f |\n", stages[i], truth_count[i], count,
                truth, measured, measured - truth);
  }
  return 0;
}
