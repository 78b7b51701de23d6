// Cost of one /metrics scrape at scale (#21): 110,000 series from 11 probes (10 families of
// 1,000 partition-level series each, the label shape of the lag probe), rendered the way
// Agent::metrics_text does. Usage: metrics_render_bench [renders] [probes] [series_per_family]
// Prints a Markdown table: median and worst render, and how long the store's lock was held.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "agent/core/exposition.h"
#include "agent/core/readings_store.h"

namespace {

using namespace cdcwatch;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

const std::vector<MetricDef> kFamilies = {
    {"cdcwatch_bench_high_watermark", "bench"}, {"cdcwatch_bench_committed_offset", "bench"},
    {"cdcwatch_bench_lag_messages", "bench"},   {"cdcwatch_bench_lag_seconds", "bench"},
    {"cdcwatch_bench_no_commit", "bench"},      {"cdcwatch_bench_status_ok", "bench"},
    {"cdcwatch_bench_status_stall", "bench"},   {"cdcwatch_bench_status_stop", "bench"},
    {"cdcwatch_bench_last_commit", "bench"},    {"cdcwatch_bench_rate", "bench"},
};

Readings probe_readings(int probe, int series_per_family) {
  Readings readings;
  for (const auto& family : kFamilies) {
    for (int i = 0; i < series_per_family; ++i) {
      readings.set(family,
                   {{"kafka", "cluster-" + std::to_string(probe)},
                    {"group", "connect-sink-" + std::to_string(i / 500)},
                    {"topic", "shop.public.orders_" + std::to_string(i / 100)},
                    {"partition", std::to_string(i % 100)}},
                   1234567.25 + i);
    }
  }
  return readings;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int renders = argc > 1 ? std::stoi(argv[1]) : 20;
  int probes = argc > 2 ? std::stoi(argv[2]) : 11;
  int series_per_family = argc > 3 ? std::stoi(argv[3]) : 1000;
  ReadingsStore store;
  for (int p = 0; p < probes; ++p) {
    store.publish("kafka/cluster-" + std::to_string(p), probe_readings(p, series_per_family));
  }
  std::vector<double> render_ms, lock_ms;
  size_t bytes = 0;
  for (int r = 0; r < renders; ++r) {
    auto start = Clock::now();
    auto latest = store.latest();  // the only part under the store's lock
    lock_ms.push_back(ms_since(start));
    std::vector<const Readings*> parts;
    for (const auto& readings : latest) parts.push_back(readings.get());
    bytes = render_prometheus_text(parts).size();
    render_ms.push_back(ms_since(start));
  }
  std::printf("| series | renders | median render | worst render | median lock held | bytes |\n");
  std::printf("| --- | --- | --- | --- | --- | --- |\n");
  std::printf("| %d | %d | %.1f ms | %.1f ms | %.3f ms | %zu |\n",
              probes * series_per_family * static_cast<int>(kFamilies.size()), renders,
              median(render_ms), *std::max_element(render_ms.begin(), render_ms.end()),
              median(lock_ms), bytes);
}
