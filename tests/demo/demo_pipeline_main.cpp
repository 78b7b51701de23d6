// The demo (README command 1, through scripts/demo): the pipeline simulator, a local PagerDuty
// receiver that narrates each page, and cdcwatch (a child process, its log in a file) watching
// them on 127.0.0.1:9720, or the next free port when that one is taken. It states the thresholds
// in force, waits for the first canary, runs the narrated drill (unless --no-drill), then lets the
// user break and heal stages with typed commands (tests/demo/demo_commands.h). If cdcwatch exits,
// the demo prints its log and exits 1. Ctrl-C (or `quit`) stops everything and removes the temp
// dirs.
// Usage: demo-pipeline CDCWATCH_BINARY REPO_DIR [--no-drill] [--port N]
//   --port N   listen exactly on N (no fallback: if N cannot be used, cdcwatch's error shows why)
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include "agent/alerting/rule_set.h"
#include "agent/app/config.h"
#include "tests/demo/console.h"
#include "tests/demo/demo_session.h"
#include "tests/demo/demo_thresholds.h"
#include "tests/demo/listen_port.h"
#include "tests/demo/page_narrator.h"
#include "tests/support/child_process.h"
#include "tests/support/drill_config.h"
#include "tests/support/pagerduty_server.h"
#include "tests/support/pipeline_simulator.h"

namespace {

using namespace std::chrono_literals;
using cdcwatch::demo::Console;
using cdcwatch::demo::DemoSession;

constexpr int kDefaultPort = 9720;  // agent.listen's default, as the README's curl lines use
constexpr const char* kHost = "127.0.0.1";

struct Arguments {
  std::string cdcwatch, repo;
  bool drill = true;
  std::optional<int> port;
};

std::optional<Arguments> parse_arguments(int argc, char** argv) {
  if (argc < 3) return std::nullopt;
  Arguments args{argv[1], argv[2]};
  for (int i = 3; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--no-drill") {
      args.drill = false;
    } else if (arg == "--port" && i + 1 < argc) {
      args.port = std::atoi(argv[++i]);
    } else {
      return std::nullopt;
    }
  }
  return args;
}

// The port cdcwatch will listen on, said aloud when it is not 9720; nullopt when none is free.
std::optional<int> choose_port(const Arguments& args, Console& console) {
  if (args.port) return args.port;
  auto port = cdcwatch::demo::first_free_port(kHost, kDefaultPort);
  if (!port) {
    console.say("Ports 9720-9739 are all taken; pass --port N to choose one.");
  } else if (*port != kDefaultPort) {
    console.say(
        "Port 9720 is taken (by another cdcwatch or program: `ss -ltnp 'sport = :9720'` "
        "shows which); cdcwatch listens on " +
        std::to_string(*port) + " instead.");
  }
  return port;
}

int report_agent_exit(cdcwatch::testing::ChildProcess& agent, Console& console) {
  std::string log = agent.err();
  console.say("cdcwatch exited with code " + std::to_string(agent.wait(0ms).value_or(-1)) +
              "; its log:\n" + log + "The demo stops.");
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  auto args = parse_arguments(argc, argv);
  if (!args) {
    std::fprintf(stderr, "usage: demo-pipeline CDCWATCH_BINARY REPO_DIR [--no-drill] [--port N]\n");
    return 2;
  }
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);  // every thread started below inherits it

  Console console;
  console.say(
      "Starting the pipeline: PostgreSQL 15 (shop, analytics), capture, 3 Kafka brokers, "
      "sink, Connect REST");
  cdcwatch::testing::TempDir dir;
  cdcwatch::testing::PipelineSimulator sim({.orders_per_second = 5});
  // librdkafka in the simulator reports every broker it cannot reach on stderr; the terminal is
  // for pages and commands, so that goes to a file.
  std::string pipeline_log = dir.file("pipeline.log");
  int log_fd = open(pipeline_log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log_fd >= 0) dup2(log_fd, 2);
  cdcwatch::testing::PagerDutyServer pagerduty;
  pagerduty.start();
  auto port = choose_port(*args, console);
  if (!port) return 1;
  std::string listen = std::string(kHost) + ":" + std::to_string(*port);
  std::string config = dir.write(
      "cdcwatch.yml",
      cdcwatch::testing::drill_config(sim, {.state_dir = dir.path(),
                                            .pagerduty_url = pagerduty.url(),
                                            .listen = listen,
                                            .interval = "2s",
                                            .stale_after = "20s",
                                            .runbook_base_url = "file://" + args->repo + "/",
                                            // The narrator explains each alert's own page.
                                            .grouping = "alert"}));
  cdcwatch::Config in_force = cdcwatch::load_config(config);
  console.say(cdcwatch::demo::thresholds_in_force(in_force, cdcwatch::default_rules()));
  cdcwatch::demo::PageNarrator narrator(
      console, cdcwatch::demo::changed_rules(in_force, cdcwatch::default_rules()));
  // Set before cdcwatch starts, so no page can arrive unnarrated.
  pagerduty.on_accepted([&narrator](const nlohmann::json& event) { narrator.on_event(event); });

  cdcwatch::testing::ChildProcess agent({args->cdcwatch, "run", "--config", config});
  console.print(
      "\ncdcwatch (pid " + std::to_string(agent.pid()) + ") watches the pipeline on " + listen +
      "; its config: " + config + "\n  its log: tail -f " + agent.err_path() +
      "\n  the simulator's log: " + pipeline_log + "\n  metrics: curl -s http://" + listen +
      "/metrics | grep -E 'canary_freshness|connector_state|consumer_group_lag'" +
      "\n  status:  curl -s http://" + listen + "/status" + "\n  dashboards: import " + args->repo +
      "/dashboards/*.json into Grafana (Prometheus scraping " + listen + ")" +
      "\nPages from the local PagerDuty receiver appear below, each once, explained. "
      "Ctrl-C stops everything.\n");

  DemoSession session({sim, pagerduty, agent, narrator, console}, "http://" + listen + "/metrics",
                      stop_signals);
  DemoSession::Outcome outcome = session.wait_for_first_canary();
  if (outcome == DemoSession::Outcome::kDone && args->drill) outcome = session.drill();
  if (outcome == DemoSession::Outcome::kDone) outcome = session.drive();
  int exit_code = 0;
  if (outcome == DemoSession::Outcome::kAgentExited) {
    exit_code = report_agent_exit(agent, console);
  } else {
    console.say("Stopping cdcwatch and the pipeline, removing temp dirs");
    agent.signal(SIGTERM);
    agent.wait(10s);
  }
  pagerduty.stop();  // before the narrator it calls goes away
  return exit_code;
}
