// Cost of one consumer-lag cycle at scale: 10,000 partitions across 20 groups (one 500-partition
// topic each) on librdkafka's mock cluster, with partition metrics on and off.
// Usage: kafka_lag_bench [cycles] [groups] [partitions_per_group] [brokers] [lag_seconds_method]
// Prints a Markdown table: the first cycle (reads one record per lagging partition for lag in
// seconds) and the median steady cycle (offsets unchanged: cached, no record reads).
// The mock cluster runs in a child process, so CPU time and RSS are the probe's alone.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "agent/core/clock.h"
#include "agent/core/exposition.h"
#include "agent/core/readings_store.h"
#include "probes/kafka_lag/kafka_lag_probe.h"
#include "tests/support/kafka_mock_cluster.h"

namespace {

using namespace cdcwatch;
using Seconds = std::chrono::duration<double>;

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](timeval t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

struct Cycle {
  double wall_ms = 0;
  double cpu_ms = 0;
  uint64_t requests = 0;
  size_t metrics_bytes = 0;
  double render_ms = 0;
};

Cycle measure(KafkaLagProbe& probe, const Clock& clock) {
  ReadingsStore none;
  uint64_t requests_before = probe.requests_sent();
  double cpu_before = cpu_seconds();
  auto start = std::chrono::steady_clock::now();
  CollectOutcome outcome = probe.collect({clock.now() + std::chrono::seconds(30), clock, none});
  Cycle cycle;
  cycle.wall_ms = Seconds(std::chrono::steady_clock::now() - start).count() * 1000;
  cycle.cpu_ms = (cpu_seconds() - cpu_before) * 1000;
  if (!outcome.ok()) {
    std::fprintf(stderr, "cycle failed: %s\n", outcome.error_message.c_str());
    std::exit(1);
  }
  auto render_start = std::chrono::steady_clock::now();
  cycle.metrics_bytes = render_prometheus_text(outcome.readings).size();
  cycle.render_ms = Seconds(std::chrono::steady_clock::now() - render_start).count() * 1000;
  // Statistics (the request count) are emitted every second; wait for the one after this cycle.
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  cycle.requests = probe.requests_sent() - requests_before;
  return cycle;
}

void print_row(const char* mode, const char* which, const Cycle& c, double baseline_rss_mb) {
  std::printf("| %s | %s | %.0f | %.0f | %llu | %.2f | %.1f | %.0f | %.0f |\n", mode, which,
              c.wall_ms, c.cpu_ms, static_cast<unsigned long long>(c.requests),
              c.metrics_bytes / 1e6, c.render_ms, peak_rss_mb(), peak_rss_mb() - baseline_rss_mb);
}

// Forks a child that owns the mock cluster with `groups` topics of `partitions` partitions (3
// records each, every group committed at offset 1 on its topic); returns its bootstrap servers.
// The child exits when the parent closes `keep_alive`.
std::string start_cluster(int groups, int partitions, int brokers, int& keep_alive, pid_t& child) {
  int ready[2], alive[2];
  if (pipe(ready) != 0 || pipe(alive) != 0) std::exit(1);
  child = fork();
  if (child == 0) {
    close(ready[0]);
    close(alive[1]);
    testing::KafkaMockCluster kafka(brokers);
    for (int g = 0; g < groups; ++g) {
      std::string topic = "orders.public.t" + std::to_string(g);
      kafka.create_topic(topic, partitions);
      kafka.produce_to_every_partition(topic, partitions, 3);
      kafka.commit_every_partition("connect-sink-" + std::to_string(g), topic, partitions, 1);
    }
    std::string line = kafka.bootstrap() + "\n";
    if (write(ready[1], line.data(), line.size()) < 0) std::_Exit(1);
    char byte;
    while (read(alive[0], &byte, 1) > 0) {
    }
    std::_Exit(0);
  }
  close(ready[1]);
  close(alive[0]);
  keep_alive = alive[1];
  std::string bootstrap;
  char c;
  while (read(ready[0], &c, 1) == 1 && c != '\n') bootstrap += c;
  close(ready[0]);
  if (bootstrap.empty()) {
    std::fprintf(stderr, "the mock cluster did not start\n");
    std::exit(1);
  }
  return bootstrap;
}

}  // namespace

int main(int argc, char** argv) {
  int cycles = argc > 1 ? std::stoi(argv[1]) : 5;
  int groups = argc > 2 ? std::stoi(argv[2]) : 20;
  int partitions = argc > 3 ? std::stoi(argv[3]) : 500;
  int brokers = argc > 4 ? std::stoi(argv[4]) : 3;
  std::string lag_seconds_method = argc > 5 ? argv[5] : "auto";

  int keep_alive = -1;
  pid_t child = 0;
  KafkaClusterConfig config;
  config.name = "bench";
  config.bootstrap_servers = start_cluster(groups, partitions, brokers, keep_alive, child);
  config.request_timeout = Millis(10000);
  auto method = parse_lag_seconds_method(lag_seconds_method);
  if (!method) {
    std::fprintf(stderr, "lag_seconds_method must be auto, record or interpolation\n");
    return 2;
  }
  config.lag_seconds_method = *method;
  config.properties.emplace_back("statistics.interval.ms", SecretString{"1000", "1000"});
  for (int g = 0; g < groups; ++g)
    config.consumer_groups.push_back("connect-sink-" + std::to_string(g));
  double baseline = peak_rss_mb();
  std::printf(
      "%d partitions, %d groups, %d brokers (mock cluster in a child process); "
      "bench process RSS before the probe: %.0f MB\n\n",
      groups * partitions, groups, brokers, baseline);
  std::printf(
      "| partition metrics | cycle | wall ms | CPU ms | broker requests | /metrics MB | "
      "render ms | peak RSS MB | of which the probe |\n");
  std::printf("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
  SystemClock clock;
  for (bool partition_metrics : {false, true}) {
    config.partition_metrics = partition_metrics;
    KafkaLagProbe probe(config, Millis(15000));
    const char* mode = partition_metrics ? "on" : "off";
    print_row(mode, "first", measure(probe, clock), baseline);
    std::vector<Cycle> steady;
    for (int i = 0; i < cycles; ++i) steady.push_back(measure(probe, clock));
    std::sort(steady.begin(), steady.end(),
              [](const Cycle& a, const Cycle& b) { return a.wall_ms < b.wall_ms; });
    print_row(mode, "steady (median)", steady[steady.size() / 2], baseline);
  }
  close(keep_alive);
  waitpid(child, nullptr, 0);
  return 0;
}
