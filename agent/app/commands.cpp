#include "agent/app/commands.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <iostream>
#include <thread>

#include "agent/alerting/prometheus_rules.h"
#include "agent/alerting/rule_set.h"
#include "agent/app/agent.h"
#include "agent/app/config.h"
#include "agent/app/silence_commands.h"
#include "agent/app/version.h"
#include "agent/core/logging.h"

namespace cdcwatch {
namespace {

constexpr const char* kUsage =
    R"(cdcwatch: watches a CDC pipeline (PostgreSQL -> Kafka Connect -> Kafka -> warehouse)

Usage:
  cdcwatch run --config FILE      run the agent (the default command)
  cdcwatch --config FILE          same as run
  cdcwatch check-config FILE      validate FILE and print the effective config, secrets redacted
  cdcwatch rules export --format prometheus [--config FILE] [--runbook-base-url URL]
                                  print the alert rules in force (the defaults, or FILE's) as
                                  Prometheus alerting rules; runbook_url is URL (else FILE's
                                  agent.runbook_base_url, else file:///usr/share/cdcwatch/, where
                                  the package installs the runbooks) followed by runbooks/<x>.md
  cdcwatch silence add --config FILE --match pipeline=orders[,hop=sink|alert=NAME|label=value]
                       --duration 2h --comment TEXT
                                  stop pages of the alerts the match covers for the duration;
                                  prints the silence's id (the running agent reads it within 1s)
  cdcwatch silence list --config FILE
                                  the silences in FILE's state_dir, active and recently ended
  cdcwatch silence expire --config FILE ID
                                  end a silence now; alerts it covered page again if firing
  cdcwatch --version              print the version
  cdcwatch --help                 print this help

Exit codes: 0 ok, 1 invalid config, 2 usage error, 3 runtime failure (e.g. cannot listen).
)";

// Where the package installs runbooks/: an absolute runbook_url that resolves on any host with
// cdcwatch installed, when no browsable copy of the runbooks was named.
constexpr const char* kInstalledRunbookBase = "file:///usr/share/cdcwatch/";

// The README promises an exit within 5 s of SIGTERM. Whatever a peer does to a notifier's or a
// probe's call, the process ends by then; pages not yet delivered are safe in the outbox.
constexpr Millis kExitDeadline(4500);

void exit_by_deadline() {
  std::thread([] {
    std::this_thread::sleep_for(kExitDeadline);
    spdlog::warn("still stopping after {}; exiting now, undelivered pages stay in the outbox",
                 format_duration(kExitDeadline));
    spdlog::default_logger()->flush();
    std::_Exit(kExitOk);
  }).detach();
}

int wait_for_signal(const sigset_t& signals) {
  while (true) {
    int received = 0;
    if (sigwait(&signals, &received) == 0) return received;
  }
}

// Starts an agent for `config`; nullptr (logged) when it cannot start, e.g. the port is taken.
std::unique_ptr<Agent> start_agent(const Config& config, const Clock& clock) {
  auto agent = std::make_unique<Agent>(config, clock);
  try {
    agent->start();
    return agent;
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return nullptr;
  }
}

// SIGHUP: the new config replaces the running one in place only if it is valid and starts;
// otherwise the old one keeps running and the errors are logged. False when no probe set runs any
// more (the caller exits rather than serve /healthz for an agent that watches nothing).
bool reload(const std::string& config_path, Agent& agent) {
  Config fresh;
  try {
    fresh = load_config(config_path);
  } catch (const std::exception& e) {
    spdlog::error("SIGHUP: new config rejected, the running config stays in force: {}", e.what());
    return true;
  }
  try {
    std::string log_format = fresh.agent.log_format, log_level = fresh.agent.log_level;
    if (agent.reload(std::move(fresh))) {
      init_logging(log_format, log_level);
      spdlog::info("SIGHUP: config reloaded from {}", config_path);
    }
  } catch (const std::exception& e) {
    spdlog::error("SIGHUP: neither the new nor the previous config could start: {}", e.what());
  }
  return agent.healthy();
}

}  // namespace

int run_command(const std::string& config_path) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  Config config;
  try {
    config = load_config(config_path);
    init_logging(config.agent.log_format, config.agent.log_level);
  } catch (const std::exception& e) {
    std::cerr << "cdcwatch: invalid config: " << e.what() << "\n";
    return kExitConfigInvalid;
  }
  SystemClock clock;
  std::unique_ptr<Agent> agent = start_agent(config, clock);
  if (!agent) return kExitRuntime;
  for (int received = wait_for_signal(signals); received == SIGHUP;
       received = wait_for_signal(signals)) {
    if (!reload(config_path, *agent)) {
      agent->stop();
      return kExitRuntime;
    }
  }
  spdlog::info("stopping");
  exit_by_deadline();
  bool clean = agent->stop();
  spdlog::info(clean ? "stopped"
                     : "stopped; a probe was still blocked in a call and was abandoned");
  spdlog::default_logger()->flush();
  if (!clean) std::_Exit(kExitOk);  // a blocked worker must not hold the exit past 5 s
  return kExitOk;
}

int check_config_command(const std::string& config_path) {
  try {
    Config config = load_config(config_path);
    std::cout << to_yaml(effective_config(config));
    std::cerr << "cdcwatch: " << config_path << " is valid\n";
    return kExitOk;
  } catch (const std::exception& e) {
    std::cerr << "cdcwatch: invalid config: " << e.what() << "\n";
    return kExitConfigInvalid;
  }
}

int rules_export_command(const std::optional<std::string>& config_path,
                         const std::optional<std::string>& runbook_base_url) {
  try {
    std::vector<AlertRule> rules = default_rules();
    std::string base = kInstalledRunbookBase;
    if (config_path) {
      Config config = load_config(*config_path);
      rules = config.rules;
      if (!config.agent.runbook_base_url.empty()) base = config.agent.runbook_base_url;
    }
    std::cout << export_prometheus_rules(rules, runbook_base_url.value_or(base));
    return kExitOk;
  } catch (const std::exception& e) {
    std::cerr << "cdcwatch: invalid config: " << e.what() << "\n";
    return kExitConfigInvalid;
  }
}

int dispatch(const std::vector<std::string>& args) {
  auto usage_error = [](const std::string& message) {
    std::cerr << "cdcwatch: " << message << "\n\n" << kUsage;
    return kExitUsage;
  };
  if (args.empty()) return usage_error("missing command");
  const std::string& first = args[0];
  if (first == "--help" || first == "-h" || first == "help") {
    std::cout << kUsage;
    return kExitOk;
  }
  if (first == "--version" || first == "version") {
    std::cout << "cdcwatch " << kVersion << "\n";
    return kExitOk;
  }
  if (first == "check-config") {
    if (args.size() != 2) return usage_error("check-config takes exactly one FILE");
    return check_config_command(args[1]);
  }
  if (first == "silence") return silence_command({args.begin() + 1, args.end()});
  if (first == "rules") {
    bool prometheus = false;
    std::optional<std::string> config_path, runbook_base_url;
    for (size_t i = 2; i < args.size(); ++i) {
      if (args[i] == "--format" && i + 1 < args.size()) {
        prometheus = args[++i] == "prometheus";
        if (!prometheus) return usage_error("rules export supports only --format prometheus");
      } else if ((args[i] == "--config" || args[i] == "-c") && i + 1 < args.size()) {
        config_path = args[++i];
      } else if (args[i] == "--runbook-base-url" && i + 1 < args.size()) {
        runbook_base_url = args[++i];
        if (runbook_base_url->find("://") == std::string::npos) {
          return usage_error(
              "--runbook-base-url must be an absolute URL such as "
              "https://git.example.com/ops/cdcwatch/blob/main/, not '" +
              *runbook_base_url + "'");
        }
      } else {
        return usage_error("unknown argument to rules export: '" + args[i] + "'");
      }
    }
    if (args.size() < 2 || args[1] != "export" || !prometheus) {
      return usage_error(
          "usage: cdcwatch rules export --format prometheus [--config FILE] "
          "[--runbook-base-url URL]");
    }
    return rules_export_command(config_path, runbook_base_url);
  }
  size_t at = first == "run" ? 1 : 0;
  if (args.size() == at + 2 && (args[at] == "--config" || args[at] == "-c")) {
    return run_command(args[at + 1]);
  }
  if (args.size() == at + 1 && args[at].starts_with("--config=")) {
    return run_command(args[at].substr(9));
  }
  return usage_error("unknown command or arguments: '" + first + "'");
}

}  // namespace cdcwatch
