// The demo (README command 1, through scripts/demo): the pipeline simulator, a local PagerDuty
// receiver that prints each page, and cdcwatch watching them; then a narrated drill: healthy,
// a sink that says RUNNING but loads nothing (the case study's Challenge 4) until the page
// arrives, healed until it resolves, then capture stopped (Challenge 2) the same way. The
// pipeline keeps running until Ctrl-C, which stops cdcwatch and removes every temp dir.
// Usage: demo-pipeline CDCWATCH_BINARY REPO_DIR
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include "agent/http/http_client.h"
#include "tests/demo/page_printer.h"
#include "tests/support/child_process.h"
#include "tests/support/drill_config.h"
#include "tests/support/pagerduty_server.h"
#include "tests/support/pipeline_simulator.h"

namespace {

using namespace std::chrono_literals;
using cdcwatch::testing::Fault;

sigset_t stop_signals;

// Sleeps up to `duration`; false when Ctrl-C (or SIGTERM) arrived.
bool pause_for(std::chrono::milliseconds duration) {
  timespec wait{static_cast<time_t>(duration.count() / 1000),
                static_cast<long>(duration.count() % 1000) * 1000000};
  return sigtimedwait(&stop_signals, nullptr, &wait) < 0;
}

void say(const std::string& text) {
  std::printf("\n>>> %s\n", text.c_str());
  std::fflush(stdout);
}

double warehouse_freshness(const std::string& metrics_url) {
  return cdcwatch::testing::series_value(
             cdcwatch::send_http({.url = metrics_url}).body,
             "cdcwatch_canary_freshness_seconds{canary=\"shop\",stage=\"warehouse\"}")
      .value_or(1e9);
}

// Injects `fault`, waits for the page and prints how long it took, heals, waits for the resolve.
bool incident(cdcwatch::testing::PipelineSimulator& sim,
              cdcwatch::testing::PagerDutyServer& pagerduty, Fault fault, const std::string& alert,
              const std::string& what) {
  say("Injecting: " + what);
  auto started = std::chrono::steady_clock::now();
  sim.set_fault(fault, true);
  while (!pagerduty.has_event(alert, "trigger")) {
    if (!pause_for(500ms)) return false;
  }
  say(alert + " paged " +
      std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::steady_clock::now() - started)
                         .count()) +
      " s after the fault. Healing the pipeline.");
  sim.set_fault(fault, false);
  while (!pagerduty.has_event(alert, "resolve")) {
    if (!pause_for(500ms)) return false;
  }
  say("Recovered: the incident resolved.");
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: demo-pipeline CDCWATCH_BINARY REPO_DIR\n");
    return 2;
  }
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);  // every thread started below inherits it

  say("Starting the pipeline: PostgreSQL 15 (shop, analytics), capture, 3 Kafka brokers, sink, "
      "Connect REST");
  cdcwatch::testing::PipelineSimulator sim({.orders_per_second = 5});
  cdcwatch::testing::PagerDutyServer pagerduty;
  pagerduty.on_accepted(cdcwatch::demo::print_page);
  pagerduty.start();
  cdcwatch::testing::TempDir dir;
  std::string config = dir.write(
      "cdcwatch.yml", cdcwatch::testing::drill_config(
                          sim, {.state_dir = dir.path(),
                                .pagerduty_url = pagerduty.url(),
                                .listen = "127.0.0.1:9720",
                                .interval = "2s",
                                .stale_after = "20s",
                                .runbook_base_url = "file://" + std::string(argv[2]) + "/"}));
  pid_t agent = fork();
  if (agent == 0) {
    sigset_t none;
    sigemptyset(&none);
    pthread_sigmask(SIG_SETMASK, &none, nullptr);
    execl(argv[1], argv[1], "run", "--config", config.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  std::printf(
      "\ncdcwatch (pid %d) watches the pipeline; its config: %s\n"
      "  metrics: curl -s http://127.0.0.1:9720/metrics | grep -E "
      "'canary_freshness|connector_state|consumer_group_lag'\n"
      "  status:  curl -s http://127.0.0.1:9720/status\n"
      "  dashboards: import %s/dashboards/*.json into Grafana (Prometheus scraping "
      "127.0.0.1:9720)\n"
      "Pages from the local PagerDuty receiver appear below. Ctrl-C stops everything.\n",
      agent, config.c_str(), argv[2]);
  std::fflush(stdout);

  bool running = true;
  say("Waiting for the first canary to reach the warehouse (end to end)");
  while (running && warehouse_freshness("http://127.0.0.1:9720/metrics") > 5)
    running = pause_for(1s);
  if (running) {
    say("Healthy: orders flow from PostgreSQL through Kafka into the warehouse; no pages.");
    running =
        pause_for(10s) &&
        incident(sim, pagerduty, Fault::kSinkStalled, "CdcCanaryStaleAtWarehouse",
                 "the sink connector says RUNNING but loads and commits nothing (Challenge 4)") &&
        pause_for(5s) &&
        incident(
            sim, pagerduty, Fault::kCaptureStopped, "CdcCanaryStaleAtKafka",
            "capture stopped: nothing reads the replication slot, which retains WAL (Challenge 2)");
  }
  if (running) {
    say("The drill is over; the pipeline and cdcwatch keep running. Ctrl-C to stop.");
    sigwaitinfo(&stop_signals, nullptr);
  }
  say("Stopping cdcwatch and the pipeline, removing temp dirs");
  kill(agent, SIGTERM);
  waitpid(agent, nullptr, 0);
  return 0;
}
