// The running demo: the narrated drill and the typed commands, over the pipeline simulator, the
// local PagerDuty receiver and the cdcwatch process. Every wait also watches the terminal (typed
// commands), Ctrl-C/SIGTERM (through a signalfd) and the agent process, so the demo never waits
// on an agent that has exited. Single-threaded: only the main thread calls it.
#pragma once

#include <signal.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "tests/demo/console.h"
#include "tests/demo/demo_commands.h"
#include "tests/demo/page_narrator.h"
#include "tests/support/child_process.h"
#include "tests/support/pagerduty_server.h"
#include "tests/support/pipeline_simulator.h"

namespace cdcwatch::demo {

class DemoSession {
 public:
  enum class Outcome {
    kDone,          // the step finished
    kStop,          // Ctrl-C, SIGTERM or `quit`
    kAgentExited,   // cdcwatch is gone: report its log and exit non-zero
    kUserTookOver,  // a fault command arrived during the drill
  };
  struct Peers {
    testing::PipelineSimulator& sim;
    testing::PagerDutyServer& pagerduty;
    testing::ChildProcess& agent;
    PageNarrator& narrator;
    Console& console;
  };

  // `stop_signals` must be blocked in every thread.
  DemoSession(Peers peers, std::string metrics_url, const sigset_t& stop_signals);
  ~DemoSession();
  DemoSession(const DemoSession&) = delete;
  DemoSession& operator=(const DemoSession&) = delete;

  Outcome wait_for_first_canary();
  // Challenge 4 then Challenge 2, each paged and healed; a typed fault command takes over.
  Outcome drill();
  // The user's turn (after the drill or instead of it), until Ctrl-C or `quit`.
  Outcome drive();

 private:
  Outcome pause(std::chrono::milliseconds duration);
  Outcome wait_until(const std::function<bool()>& done, std::chrono::milliseconds limit);
  Outcome incident(testing::Fault fault, const std::string& alert);
  Outcome on_line(const std::string& line);
  void run(const DemoCommand& command);
  void print_status();
  std::optional<double> freshness(const std::string& stage) const;

  Peers peers_;
  std::string metrics_url_;
  int signal_fd_ = -1;
  bool stdin_open_ = true;
  std::string typed_;  // bytes read from stdin, up to the next newline
  bool in_drill_ = false;
  std::optional<DemoCommand> taken_over_with_;
};

}  // namespace cdcwatch::demo
