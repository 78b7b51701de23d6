// The running agent: probes on the scheduler, the readings store, and the HTTP endpoints.
// Construct, start(), then stop() from the same thread.
#pragma once

#include <memory>
#include <string>

#include "agent/alerting/alerting_engine.h"
#include "agent/app/config.h"
#include "agent/core/clock.h"
#include "agent/core/probe_health.h"
#include "agent/core/readings_store.h"
#include "agent/core/scheduler.h"
#include "agent/http/http_server.h"

namespace cdcwatch {

class Agent {
 public:
  Agent(Config config, const Clock& clock);
  ~Agent();
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  // Binds the HTTP port and starts every probe. Throws std::runtime_error when it cannot listen.
  void start();
  // Stops probes and the server; false when a probe worker was still blocked after the grace time.
  bool stop();
  int port() const { return port_; }

  std::string metrics_text() const;
  nlohmann::json status() const;
  bool ready() const;

 private:
  Config config_;
  const Clock& clock_;
  TimePoint started_at_;
  ReadingsStore store_;
  ProbeHealth health_;
  Scheduler scheduler_;
  AlertingEngine alerting_;
  HttpServer server_;
  int port_ = 0;
};

}  // namespace cdcwatch
