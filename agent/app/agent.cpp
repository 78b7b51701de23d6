#include "agent/app/agent.h"

#include <spdlog/spdlog.h>

#include "agent/app/probe_factory.h"
#include "agent/app/version.h"
#include "agent/core/exposition.h"
#include "agent/core/secrets.h"

namespace cdcwatch {
namespace {

const MetricDef kBuildInfo{"cdcwatch_build_info", "Always 1; the version label says which build"};

}  // namespace

Agent::Agent(Config config, const Clock& clock)
    : config_(std::move(config)),
      clock_(clock),
      started_at_(clock.now()),
      scheduler_(store_, health_, clock_),
      alerting_(
          {config_.rules, config_.alerts, config_.notifiers, config_.agent.runbook_base_url,
           config_.agent.state_dir},
          store_, [this] { return health_.all_completed_a_cycle(); }, clock_) {
  for (auto& probe : build_probes(config_, clock_)) scheduler_.add(std::move(probe));
  scheduler_.on_cycle([this](const std::string&) { alerting_.wake(); });
  alerting_.add_readings_source([this] { return health_.self_metrics(); });  // CdcProbeFailing
}

Agent::~Agent() { stop(); }

void Agent::start() {
  server_.get("/metrics", [this] {
    return HttpReply{200, "text/plain; version=0.0.4; charset=utf-8", metrics_text()};
  });
  server_.get("/healthz", [] { return HttpReply{200, "text/plain; charset=utf-8", "ok\n"}; });
  server_.get("/readyz", [this] {
    return ready() ? HttpReply{200, "text/plain; charset=utf-8", "ready\n"}
                   : HttpReply{503, "text/plain; charset=utf-8",
                               "not ready: some probe has not completed a cycle yet\n"};
  });
  server_.get("/status", [this] {
    // Peers' messages may hold invalid UTF-8: replace it rather than fail the endpoint.
    return HttpReply{200, "application/json",
                     status().dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"};
  });
  port_ = server_.start(http_server_options(config_.agent));
  scheduler_.start();
  alerting_.start();
  spdlog::info("cdcwatch {} listening on port {} with {} probes", kVersion, port_,
               scheduler_.probe_count());
}

bool Agent::stop() {
  bool clean = scheduler_.stop();
  alerting_.stop();
  server_.stop();
  return clean;
}

bool Agent::ready() const { return health_.all_completed_a_cycle(); }

std::string Agent::metrics_text() const {
  Readings all;
  all.set(kBuildInfo, {{"version", kVersion}}, 1);
  all.append(health_.self_metrics());
  all.append(alerting_.readings());
  all.append(store_.snapshot());
  return render_prometheus_text(all);
}

nlohmann::json Agent::status() const {
  nlohmann::json out = {
      {"version", kVersion},
      {"started_at", format_timestamp(started_at_)},
      {"config_file", config_.path},
      {"ready", ready()},
      {"probes", health_.status_json()},
      {"alerts", alerting_.status_json()},
  };
  // A probe's status comes from peers' answers; scrub in case one quoted a secret back.
  scrub_secrets_in(out);
  return out;
}

}  // namespace cdcwatch
