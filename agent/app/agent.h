// The running agent: probes on the scheduler, the readings store, alerting, and the HTTP endpoints.
// Construct, start(), reload() on SIGHUP, then stop(), all from one thread. The endpoints'
// threads read it concurrently; a reload swaps the probes and alerting under them without closing
// the listening socket (unless agent.listen, tls or auth changed).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "agent/alerting/alerting_engine.h"
#include "agent/app/config.h"
#include "agent/app/pipeline_history.h"
#include "agent/core/clock.h"
#include "agent/core/probe.h"
#include "agent/core/probe_health.h"
#include "agent/core/probe_state_store.h"
#include "agent/core/readings_store.h"
#include "agent/core/scheduler.h"
#include "agent/http/http_server.h"
#include "agent/pipeline/pipeline_board.h"

namespace cdcwatch {

using ProbeBuilder =
    std::function<std::vector<std::unique_ptr<Probe>>(const Config& config, const Clock& clock)>;

class Agent {
 public:
  // `build` makes the probes of a config (the probe factory; tests pass their own probes).
  Agent(Config config, const Clock& clock, ProbeBuilder build = {});
  ~Agent();
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  // Binds the HTTP port, gives each probe its saved state and starts it. Throws
  // std::runtime_error when it cannot listen.
  void start();
  // Applies a new config in place: every probe whose entry is unchanged carries on from its saved
  // state, added entries start, removed ones stop; alerting carries on (pending `for` clocks
  // included) unless its own settings changed; the endpoints keep serving. Returns false
  // (logged) when the new config cannot run; the running one then stays in force.
  bool reload(Config fresh);
  // Stops probes and the server; false when a probe worker was abandoned still blocked.
  bool stop();
  int port() const { return port_; }

  std::string metrics_text() const;
  nlohmann::json status() const;
  bool ready() const;
  // Every probe is being cycled: what /healthz says. False while no probe set runs.
  bool healthy() const;

 private:
  struct Running {
    std::unique_ptr<Scheduler> scheduler;
    std::shared_ptr<AlertingEngine> alerting;
  };
  // A kept alerting engine (its config unchanged) carries on; otherwise a new one starts.
  void run(const Config& config, std::vector<std::unique_ptr<Probe>> probes,
           std::shared_ptr<AlertingEngine> kept_alerting = nullptr);
  Running prepare(const Config& config, std::vector<std::unique_ptr<Probe>> probes,
                  std::shared_ptr<AlertingEngine> kept_alerting);
  void retire(Running& running, const std::vector<std::string>& kept_probes);
  bool rebind(const Config& fresh);
  void route_endpoints();

  const Clock& clock_;
  ProbeBuilder build_;
  TimePoint started_at_;
  ReadingsStore store_;
  ProbeHealth health_;
  PipelineHistory history_;  // fed by pipelines_, so declared before it
  PipelineBoard pipelines_;  // outlives the schedulers, whose pipeline stage writes it
  ProbeStateStore states_;
  HttpServer server_;
  int port_ = 0;
  mutable std::mutex mutex_;  // guards config_, running_ and probe_names_ for the endpoints
  Config config_;
  Running running_;
  std::vector<std::string> probe_names_;
};

}  // namespace cdcwatch
