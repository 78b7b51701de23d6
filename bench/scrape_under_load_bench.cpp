// Scrape latency of the real agent's endpoints under the attacks of issue 23: /healthz and an
// authorised /metrics, one request at a time, with no load, with N idle sockets held open, and
// with N slowloris connections (a header line every second, never finishing the head).
// Usage: scrape_under_load_bench CDCWATCH_BINARY [requests per endpoint] [sockets]
// Prints a Markdown table of median, p99 and max milliseconds and failed requests.
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "agent/http/http_client.h"
#include "tests/support/child_process.h"
#include "tests/support/slow_http_clients.h"

namespace {

using namespace cdcwatch;
using namespace std::chrono_literals;
using testing::SlowHttpClients;

struct Latencies {
  std::vector<double> millis;
  int failed = 0;

  double at(double quantile) {
    std::sort(millis.begin(), millis.end());
    if (millis.empty()) return -1;
    return millis[std::min(millis.size() - 1, static_cast<size_t>(quantile * millis.size()))];
  }
};

void time_one(const HttpRequest& request, Latencies& into) {
  auto start = std::chrono::steady_clock::now();
  bool ok = send_http(request).status == 200;
  into.millis.push_back(
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  into.failed += ok ? 0 : 1;
}

void report(const std::string& load, const char* endpoint, Latencies latencies) {
  std::printf("| %s | %s | %.1f | %.1f | %.1f | %d |\n", load.c_str(), endpoint, latencies.at(0.5),
              latencies.at(0.99), latencies.at(1.0), latencies.failed);
}

// /healthz and /metrics alternately, one every kPace: the whole run stays inside the agent's
// 5 s header timeout, so the attack sockets are all still open while it is measured.
void measure(const std::string& load, const HttpRequest& health, const HttpRequest& metrics,
             int requests) {
  constexpr auto kPace = 15ms;
  Latencies health_latencies, metrics_latencies;
  for (int i = 0; i < requests; ++i) {
    time_one(health, health_latencies);
    time_one(metrics, metrics_latencies);
    std::this_thread::sleep_for(kPace);
  }
  report(load, "/healthz", health_latencies);
  report(load, "/metrics", metrics_latencies);
}

int start_agent(testing::ChildProcess& agent) {
  if (!agent.wait_for_err("listening on port", 10s)) return -1;
  std::smatch match;
  std::string log = agent.err();
  if (!std::regex_search(log, match, std::regex("listening on port ([0-9]+)"))) return -1;
  return std::stoi(match[1]);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CDCWATCH_BINARY [requests] [sockets]\n", argv[0]);
    return 2;
  }
  int requests = argc > 2 ? std::stoi(argv[2]) : 100;
  size_t sockets = argc > 3 ? std::stoul(argv[3]) : 1000;
  testing::raise_descriptor_limit();
  testing::TempDir dir;
  std::string config = dir.write("c.yml", "agent:\n  state_dir: " + dir.path() +
                                              "\n  listen: 127.0.0.1:0\n  auth: { bearer_token: "
                                              "B3nchT0ken }\n");
  testing::ChildProcess agent({argv[1], "run", "--config", config});
  int port = start_agent(agent);
  if (port < 0) {
    std::fprintf(stderr, "agent did not start: %s\n", agent.err().c_str());
    return 1;
  }
  std::string base = "http://127.0.0.1:" + std::to_string(port);
  HttpRequest health{.url = base + "/healthz", .timeout = 30s};
  HttpRequest metrics{.url = base + "/metrics",
                      .headers = {{"Authorization", "Bearer B3nchT0ken"}},
                      .timeout = 30s};
  std::printf("| load | endpoint | median ms | p99 ms | max ms | failed |\n");
  std::printf("| --- | --- | ---: | ---: | ---: | ---: |\n");
  measure("none", health, metrics, requests);
  {
    SlowHttpClients idle(port, sockets, SlowHttpClients::Kind::kIdle);
    measure(std::to_string(sockets) + " idle sockets", health, metrics, requests);
    std::fprintf(stderr, "idle sockets closed by the agent meanwhile: %zu\n",
                 idle.closed_by_server());
  }
  {
    SlowHttpClients loris(port, sockets, SlowHttpClients::Kind::kSlowloris, 1s);
    measure(std::to_string(sockets) + " slowloris", health, metrics, requests);
    std::fprintf(stderr, "slowloris header lines sent: %zu; connections closed meanwhile: %zu\n",
                 loris.lines_sent(), loris.closed_by_server());
  }
  agent.signal(SIGTERM);
  agent.wait(10s);
  return 0;
}
