#include "tests/demo/demo_session.h"

#include <poll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cstdio>

#include "agent/http/http_client.h"
#include "tests/support/drill_config.h"

namespace cdcwatch::demo {
namespace {

using namespace std::chrono_literals;
using testing::Fault;
using Clock = std::chrono::steady_clock;

std::string seconds_text(std::optional<double> seconds) {
  if (!seconds) return "unknown";
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", *seconds);
  return text;
}

}  // namespace

DemoSession::DemoSession(Peers peers, std::string metrics_url, const sigset_t& stop_signals)
    : peers_(peers),
      metrics_url_(std::move(metrics_url)),
      signal_fd_(signalfd(-1, &stop_signals, SFD_CLOEXEC)) {}

DemoSession::~DemoSession() {
  if (signal_fd_ >= 0) close(signal_fd_);
}

DemoSession::Outcome DemoSession::pause(std::chrono::milliseconds duration) {
  auto deadline = Clock::now() + duration;
  while (true) {
    if (!peers_.agent.running()) return Outcome::kAgentExited;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left <= 0ms) return Outcome::kDone;
    pollfd fds[2] = {{signal_fd_, POLLIN, 0}, {stdin_open_ ? 0 : -1, POLLIN, 0}};
    poll(fds, 2, static_cast<int>(std::min(left, 250ms).count()));
    if (fds[0].revents & POLLIN) return Outcome::kStop;
    if (!(fds[1].revents & (POLLIN | POLLHUP))) continue;
    char buffer[512];
    ssize_t got = read(0, buffer, sizeof buffer);
    if (got <= 0) {
      stdin_open_ = false;  // no terminal (e.g. `< /dev/null`): run until Ctrl-C
      continue;
    }
    typed_.append(buffer, static_cast<size_t>(got));
    for (size_t end; (end = typed_.find('\n')) != std::string::npos;) {
      std::string line = typed_.substr(0, end);
      typed_.erase(0, end + 1);
      if (Outcome outcome = on_line(line); outcome != Outcome::kDone) return outcome;
    }
  }
}

DemoSession::Outcome DemoSession::wait_until(const std::function<bool()>& done,
                                             std::chrono::milliseconds limit) {
  auto deadline = Clock::now() + limit;
  while (!done() && Clock::now() < deadline) {
    if (Outcome outcome = pause(500ms); outcome != Outcome::kDone) return outcome;
  }
  return Outcome::kDone;
}

DemoSession::Outcome DemoSession::on_line(const std::string& line) {
  DemoCommand command = parse_command(line);
  bool changes_faults =
      command.kind == DemoCommand::Kind::kBreak || command.kind == DemoCommand::Kind::kHeal;
  if (in_drill_ && changes_faults) {
    taken_over_with_ = command;
    return Outcome::kUserTookOver;
  }
  if (command.kind == DemoCommand::Kind::kQuit) return Outcome::kStop;
  run(command);
  return Outcome::kDone;
}

void DemoSession::run(const DemoCommand& command) {
  switch (command.kind) {
    case DemoCommand::Kind::kNone:
    case DemoCommand::Kind::kQuit:
      return;
    case DemoCommand::Kind::kBreak: {
      const FaultCommand& fault = fault_command(*command.fault);
      peers_.sim.set_fault(fault.fault, true);
      peers_.console.say("Injected: " + fault.what + ".\n    Expect: " + fault.expect +
                         ". `heal` undoes it.");
      return;
    }
    case DemoCommand::Kind::kHeal:
      for (const auto& fault : fault_commands()) peers_.sim.set_fault(fault.fault, false);
      peers_.console.say("Healed every fault: the pipeline catches up and open pages resolve.");
      return;
    case DemoCommand::Kind::kStatus:
      print_status();
      return;
    case DemoCommand::Kind::kHelp:
      peers_.console.print("\n" + command_help());
      return;
    case DemoCommand::Kind::kUnknown:
      peers_.console.print("\nUnknown command '" + command.typed + "'. " + command_help());
      return;
  }
}

std::optional<double> DemoSession::freshness(const std::string& stage) const {
  auto reply = send_http({.url = metrics_url_});
  if (reply.status != 200) return std::nullopt;
  return testing::series_value(
      reply.body, "cdcwatch_canary_freshness_seconds{canary=\"shop\",stage=\"" + stage + "\"}");
}

void DemoSession::print_status() {
  std::string faults;
  for (const auto& fault : fault_commands()) {
    if (peers_.sim.fault_on(fault.fault)) faults += "\n    " + fault.words + ": " + fault.what;
  }
  std::string pages;
  for (const auto& page : peers_.narrator.open_pages()) pages += "\n    " + page;
  peers_.console.print(
      "\nStatus\n  faults in force: " + (faults.empty() ? "none" : faults) +
      "\n  open pages: " + (pages.empty() ? "none" : pages) + "\n  canary freshness: Kafka " +
      seconds_text(freshness("kafka")) + ", warehouse " + seconds_text(freshness("warehouse")) +
      "\n  change events captured " + std::to_string(peers_.sim.events_captured()) +
      ", loaded into the warehouse " + std::to_string(peers_.sim.events_loaded()) + "\n");
}

DemoSession::Outcome DemoSession::wait_for_first_canary() {
  peers_.console.say("Waiting for the first canary to reach the warehouse (end to end)");
  Outcome outcome = wait_until(
      [this] {
        auto seconds = freshness("warehouse");
        return seconds && *seconds <= 5;
      },
      std::chrono::hours(24));
  if (outcome == Outcome::kDone) {
    peers_.console.say(
        "Healthy: orders flow from PostgreSQL through Kafka into the warehouse; no pages.");
  }
  return outcome;
}

DemoSession::Outcome DemoSession::incident(Fault fault, const std::string& alert) {
  const FaultCommand& command = fault_command(fault);
  peers_.console.say("Injecting (as `" + command.words + "` would): " + command.what +
                     ".\n    Expect: " + command.expect + ".");
  auto started = Clock::now();
  peers_.sim.set_fault(fault, true);
  Outcome outcome = wait_until([&] { return peers_.pagerduty.has_event(alert, "trigger"); }, 10min);
  if (outcome == Outcome::kDone) {
    long seconds = static_cast<long>(
        std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - started).count());
    peers_.console.say(alert + " paged " + std::to_string(seconds) +
                       " s after the fault. Healing the pipeline (as `heal` would).");
  }
  peers_.sim.set_fault(fault, false);
  if (outcome != Outcome::kDone) return outcome;
  outcome = wait_until([&] { return peers_.narrator.open_pages().empty(); }, 60s);
  if (outcome == Outcome::kDone) peers_.console.say("Recovered: the pages resolved.");
  return outcome;
}

DemoSession::Outcome DemoSession::drill() {
  peers_.console.say(
      "The narrated drill starts in 10 s. Type a command at any time to drive the pipeline "
      "yourself instead (`help` lists them).");
  in_drill_ = true;
  Outcome outcome = pause(10s);
  if (outcome == Outcome::kDone)
    outcome = incident(Fault::kSinkStalled, "CdcCanaryStaleAtWarehouse");
  if (outcome == Outcome::kDone) outcome = pause(5s);
  if (outcome == Outcome::kDone)
    outcome = incident(Fault::kCaptureStopped, "CdcCanaryStaleAtKafka");
  in_drill_ = false;
  if (outcome == Outcome::kDone) {
    peers_.console.say("The drill is over; the pipeline and cdcwatch keep running.");
  }
  if (outcome == Outcome::kUserTookOver) {
    peers_.console.say("You drive now: the drill stops here and its fault is healed.");
    run(*taken_over_with_);
    outcome = Outcome::kDone;
  }
  return outcome;
}

DemoSession::Outcome DemoSession::drive() {
  peers_.console.print("\n" + command_help() + "Ctrl-C stops everything.\n");
  while (true) {
    if (Outcome outcome = pause(1h); outcome != Outcome::kDone) return outcome;
  }
}

}  // namespace cdcwatch::demo
