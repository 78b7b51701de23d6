// Cost of one consumer-lag cycle at scale on librdkafka's mock cluster: by default 10,000
// partitions across 20 groups (one 500-partition topic each) on 3 brokers; `100 1000 6` gives the
// 100,000-partition case.
// Usage: kafka_lag_bench [cycles] [groups] [partitions_per_group] [brokers] [lag_seconds_method]
//                        [partition_metrics: off|on] [BEFORE | bootstrap=SERVERS]
// BEFORE is another build of this benchmark (main's probe): it watches the same cluster first, so
// one set-up serves both and the pair runs back to back; bootstrap= watches a running cluster.
// Prints Markdown rows: the first cycle (reads one record per lagging partition for lag in
// seconds), the second, and the median (with the range) of the steady cycles after it (offsets
// unchanged: cached, no record reads once every record was read; with more than 5 cycles each is
// also printed, and the median of those that fetched nothing). Requests and bytes are counted by
// librdkafka interceptors on the probe's clients (kafka_handle.h). A cycle's wall and CPU time
// include what the agent does after every cycle: saving the probe's state (save_state, dumped to
// text; its size is in the row) and returning freed memory (freed_memory.h); malloc's arenas are
// capped as in the agent's main(). RSS is the probe's
// (the process's now, minus before the probe), so run each mode in its own process. The mock
// cluster runs in a child process, so CPU time and RSS are the probe's alone. The load average is
// printed next to each row: the figures are only comparable at similar load.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "agent/core/clock.h"
#include "agent/core/exposition.h"
#include "agent/core/freed_memory.h"
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

double rss_mb() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / 1e6;
}

double load_average() {
  double load[1] = {0};
  return getloadavg(load, 1) == 1 ? load[0] : -1;
}

struct Cycle {
  double wall_ms = 0;
  double cpu_ms = 0;
  WireCounts wire;
  size_t metrics_bytes = 0;
  double render_ms = 0;
  double rss_mb = 0;
  double load = 0;
  double state_kb = 0;
  std::string error;  // a failed cycle is reported in its row, not dropped
};

WireCounts difference(const WireCounts& after, const WireCounts& before) {
  WireCounts out;
  out.requests = after.requests - before.requests;
  out.bytes_sent = after.bytes_sent - before.bytes_sent;
  out.bytes_received = after.bytes_received - before.bytes_received;
  for (size_t i = 0; i < out.requests_by_api_key.size(); ++i) {
    out.requests_by_api_key[i] = after.requests_by_api_key[i] - before.requests_by_api_key[i];
    out.bytes_received_by_api_key[i] =
        after.bytes_received_by_api_key[i] - before.bytes_received_by_api_key[i];
  }
  return out;
}

Cycle measure(KafkaLagProbe& probe, const Clock& clock) {
  ReadingsStore none;
  WireCounts before = probe.wire_counts();
  double cpu_before = cpu_seconds();
  auto start = std::chrono::steady_clock::now();
  CollectOutcome outcome = probe.collect({clock.now() + std::chrono::seconds(30), clock, none});
  // The agent saves every probe's state after each cycle, and the store dumps it to compare and
  // write: part of what a cycle costs.
  size_t state_bytes = probe.save_state().dump().size();
  release_freed_memory();  // as the scheduler does after each cycle
  Cycle cycle;
  cycle.state_kb = static_cast<double>(state_bytes) / 1e3;
  cycle.wall_ms = Seconds(std::chrono::steady_clock::now() - start).count() * 1000;
  cycle.cpu_ms = (cpu_seconds() - cpu_before) * 1000;
  cycle.wire = difference(probe.wire_counts(), before);
  if (!outcome.ok()) cycle.error = outcome.error_reason + ": " + outcome.error_message;
  auto render_start = std::chrono::steady_clock::now();
  cycle.metrics_bytes = render_prometheus_text(outcome.readings).size();
  cycle.render_ms = Seconds(std::chrono::steady_clock::now() - render_start).count() * 1000;
  cycle.rss_mb = rss_mb();
  cycle.load = load_average();
  return cycle;
}

std::string requests_by_kind(const WireCounts& wire) {
  std::string out;
  for (size_t key = 0; key < wire.requests_by_api_key.size(); ++key) {
    if (wire.requests_by_api_key[key] == 0) continue;
    char received[32];
    std::snprintf(received, sizeof received, " %.0f KB",
                  static_cast<double>(wire.bytes_received_by_api_key[key]) / 1e3);
    out += (out.empty() ? "" : ", ") + api_key_name(static_cast<int>(key)) + " " +
           std::to_string(wire.requests_by_api_key[key]) + received;
  }
  return out;
}

void print_row(const std::string& which, const Cycle& c, const std::string& wall,
               double baseline_rss_mb) {
  std::printf("| %s%s | %s | %.0f | %llu (%s) | %.0f | %.0f | %.2f | %.1f | %.0f | %.0f | %.1f |\n",
              which.c_str(), c.error.empty() ? "" : (" (failed: " + c.error + ")").c_str(),
              wall.c_str(), c.cpu_ms, static_cast<unsigned long long>(c.wire.requests),
              requests_by_kind(c.wire).c_str(), c.wire.bytes_sent / 1e3,
              c.wire.bytes_received / 1e3, c.metrics_bytes / 1e6, c.render_ms, c.state_kb,
              c.rss_mb - baseline_rss_mb, c.load);
  std::fflush(stdout);
}

std::string ms(double value) { return std::to_string(static_cast<long>(value + 0.5)); }

constexpr int kFetch = 1;  // the protocol's ApiKey

// The median cycle of `cycles` by wall time, with their range.
void print_median(const std::string& which, std::vector<Cycle> cycles, double baseline_rss_mb) {
  std::sort(cycles.begin(), cycles.end(),
            [](const Cycle& a, const Cycle& b) { return a.wall_ms < b.wall_ms; });
  const Cycle& median = cycles[cycles.size() / 2];
  print_row(which, median,
            ms(median.wall_ms) + " (" + ms(cycles.front().wall_ms) + "–" +
                ms(cycles.back().wall_ms) + ")",
            baseline_rss_mb);
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
  limit_malloc_arenas();  // as the agent's main() does
  int cycles = argc > 1 ? std::stoi(argv[1]) : 5;
  int groups = argc > 2 ? std::stoi(argv[2]) : 20;
  int partitions = argc > 3 ? std::stoi(argv[3]) : 500;
  int brokers = argc > 4 ? std::stoi(argv[4]) : 3;
  std::string lag_seconds_method = argc > 5 ? argv[5] : "auto";
  std::string partition_metrics = argc > 6 ? argv[6] : "off";

  count_wire_traffic(true);
  int keep_alive = -1;
  pid_t child = 0;
  KafkaClusterConfig config;
  config.name = "bench";
  auto setup_start = std::chrono::steady_clock::now();
  std::string other = argc > 7 ? argv[7] : "";
  if (other.starts_with("bootstrap=")) {
    config.bootstrap_servers = other.substr(std::string("bootstrap=").size());
  } else {
    config.bootstrap_servers = start_cluster(groups, partitions, brokers, keep_alive, child);
  }
  double setup_s = Seconds(std::chrono::steady_clock::now() - setup_start).count();
  if (!other.empty() && !other.starts_with("bootstrap=")) {
    // Another build of this benchmark (the probe before a change) watches the same cluster first:
    // one set-up, the two probes back to back.
    std::string command = other + " " + std::to_string(cycles) + " " + std::to_string(groups) +
                          " " + std::to_string(partitions) + " " + std::to_string(brokers) + " " +
                          lag_seconds_method + " " + partition_metrics +
                          " bootstrap=" + config.bootstrap_servers;
    std::printf("%s:\n", other.c_str());
    std::fflush(stdout);
    if (std::system(command.c_str()) != 0) std::fprintf(stderr, "%s failed\n", other.c_str());
    std::printf("\nthis build:\n");
  }
  config.request_timeout = Millis(10000);
  auto method = parse_lag_seconds_method(lag_seconds_method);
  if (!method || (partition_metrics != "off" && partition_metrics != "on")) {
    std::fprintf(stderr,
                 "lag_seconds_method must be auto, record or interpolation; partition_metrics off "
                 "or on\n");
    return 2;
  }
  config.lag_seconds_method = *method;
  config.partition_metrics = partition_metrics == "on";
  for (int g = 0; g < groups; ++g)
    config.consumer_groups.push_back("connect-sink-" + std::to_string(g));
  double baseline = rss_mb();
  std::printf(
      "%d partitions, %d groups, %d brokers (mock cluster in a child process, set up in %.0f s); "
      "lag_seconds_method %s, partition_metrics %s; bench process RSS before the probe: %.0f "
      "MB\n\n",
      groups * partitions, groups, brokers, setup_s, lag_seconds_method.c_str(),
      partition_metrics.c_str(), baseline);
  std::printf(
      "| cycle | wall ms | CPU ms | broker requests (by kind: count, KB received) | KB sent | KB "
      "received | "
      "/metrics MB | render ms | saved state KB | probe RSS MB | load |\n");
  std::printf("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
  SystemClock clock;
  auto owned = std::make_unique<KafkaLagProbe>(config, Millis(15000));
  KafkaLagProbe& probe = *owned;
  Cycle first = measure(probe, clock);
  print_row("first", first, ms(first.wall_ms), baseline);
  Cycle second = measure(probe, clock);
  print_row("second", second, ms(second.wall_ms), baseline);
  std::vector<Cycle> steady, without_reads;
  for (int i = 0; i < cycles; ++i) {
    steady.push_back(measure(probe, clock));
    if (cycles > 5) {
      print_row("cycle " + std::to_string(i + 3), steady.back(), ms(steady.back().wall_ms),
                baseline);
    }
    if (steady.back().wire.requests_by_api_key[kFetch] == 0) without_reads.push_back(steady.back());
  }
  print_median("steady (median of " + std::to_string(cycles) + ")", steady, baseline);
  if (!without_reads.empty() && without_reads.size() < steady.size()) {
    print_median("steady once record reads are done (median of " +
                     std::to_string(without_reads.size()) + ")",
                 without_reads, baseline);
  }
  owned.reset();  // before the cluster goes, or its clients log every broker as down
  if (child != 0) {
    close(keep_alive);
    waitpid(child, nullptr, 0);
  }
  return 0;
}
