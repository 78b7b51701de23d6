#include "agent/app/agent.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "agent/alerting/notifier.h"
#include "agent/alerting/prometheus_rules.h"
#include "agent/app/entry_fingerprints.h"
#include "agent/app/probe_factory.h"
#include "agent/app/version.h"
#include "agent/core/exposition.h"
#include "agent/core/secrets.h"
#include "agent/pipeline/pipeline_stage.h"
#include "web/web_assets.h"

namespace cdcwatch {
namespace {

const MetricDef kBuildInfo{"cdcwatch_build_info", "Always 1; the version label says which build"};

bool same_endpoint(const HttpServerOptions& a, const HttpServerOptions& b) {
  return a.listen == b.listen && a.tls_cert_file == b.tls_cert_file &&
         a.tls_key_file == b.tls_key_file && a.basic_auth == b.basic_auth &&
         a.bearer_token == b.bearer_token && a.max_connections == b.max_connections;
}

// /status's alerts with each active alert's runbook address, as its page gives it, for the
// pipeline page's links.
nlohmann::json with_runbook_urls(nlohmann::json alerts, const std::vector<AlertRule>& rules,
                                 const std::string& runbook_base_url) {
  if (!alerts.contains("active")) return alerts;
  for (auto& active : alerts["active"]) {
    auto rule = std::find_if(rules.begin(), rules.end(), [&](const AlertRule& candidate) {
      return candidate.alert == active.value("alert", "");
    });
    if (rule == rules.end()) continue;
    std::string url = runbook_url(runbook_base_url, rule->runbook);
    if (!url.empty()) active["runbook_url"] = url;
  }
  return alerts;
}

// The pipelines as the stage published them, each with its open incident (null without one).
nlohmann::json with_incidents(nlohmann::json pipelines, const AlertingEngine* alerting) {
  for (auto& pipeline : pipelines) {
    pipeline["incident"] = alerting && pipeline.contains("name")
                               ? alerting->pipeline_incident(pipeline.value("name", ""))
                               : nlohmann::json(nullptr);
  }
  return pipelines;
}

AlertingSetup alerting_setup(const Config& config) {
  return {config.rules,           config.alerts,
          config.notifiers,       config.agent.runbook_base_url,
          config.agent.state_dir, config.maintenance};
}

// Everything alerting is built from; equal means a reload may keep the running engine with its
// pending `for` clocks. Secrets count by value (compared in memory, never stored).
std::string alerting_identity(const Config& config) {
  nlohmann::json identity = {describe(config.alerts), describe(config.notifiers),
                             export_prometheus_rules(config.rules, config.agent.runbook_base_url),
                             config.agent.runbook_base_url, config.agent.state_dir};
  for (const auto& window : config.maintenance) identity.push_back(describe(window));
  if (const auto& pagerduty = config.notifiers.pagerduty) {
    identity.push_back(pagerduty->routing_key.value);
    for (const auto& [severity, key] : pagerduty->routing_keys) identity.push_back(key.value);
  }
  for (const auto& webhook : config.notifiers.webhooks) identity.push_back(webhook.url.value);
  return identity.dump();
}

std::vector<std::string> names_of(const std::vector<std::unique_ptr<Probe>>& probes) {
  std::vector<std::string> names;
  for (const auto& probe : probes) names.push_back(probe->name());
  return names;
}

void restore(Probe& probe, const nlohmann::json& state) {
  try {
    probe.restore_state(state);
    spdlog::info("probe {} carries on from its saved state", probe.name());
  } catch (const std::exception& e) {
    spdlog::warn("probe {} could not take back its saved state ({}); it starts fresh", probe.name(),
                 e.what());
  }
}

}  // namespace

Agent::Agent(Config config, const Clock& clock, ProbeBuilder build)
    : clock_(clock),
      build_(build ? std::move(build)
                   : ProbeBuilder([this](const Config& wanted, const Clock& time) {
                       return build_probes(wanted, time, pipelines_);
                     })),
      started_at_(clock.now()),
      states_(config.agent.state_dir),
      config_(std::move(config)) {
  pipelines_.on_publish(
      [this](const nlohmann::json& pipelines) { history_.record(clock_.now(), pipelines); });
}

Agent::~Agent() { stop(); }

// The probes with their saved states, on a scheduler not yet started, and alerting for `config`.
Agent::Running Agent::prepare(const Config& config, std::vector<std::unique_ptr<Probe>> probes,
                              std::shared_ptr<AlertingEngine> kept_alerting) {
  Running next;
  next.scheduler = std::make_unique<Scheduler>(store_, health_, clock_);
  EntryFingerprints fingerprints(config);
  for (auto& probe : probes) {
    const std::string name = probe->name();
    states_.track(name, fingerprints.of(name));
    if (auto state = states_.load(name)) restore(*probe, *state);
    next.scheduler->add(std::move(probe));
  }
  next.scheduler->on_saved_state([this](const std::string& probe, const nlohmann::json& state) {
    states_.save(probe, state);
  });
  if (kept_alerting) {
    next.alerting = std::move(kept_alerting);
  } else {
    next.alerting = std::make_shared<AlertingEngine>(
        alerting_setup(config), store_,
        // Alerts wait for the pipelines formed from every probe's first readings, so that none
        // is paged outside the pipeline it belongs to (alerts.grouping: pipeline).
        [this] { return health_.completed_a_cycle_after_all_others(kPipelineStageName); }, clock_);
    next.alerting->add_readings_source(
        [this] { return health_.self_metrics(); });  // CdcProbeFailing
    next.alerting->set_pipelines_source([this] { return pipelines_.pipelines(); });
  }
  // Weak: a worker finishing its last cycle during a reload must not outlive a replaced engine.
  next.scheduler->on_cycle([alerting = std::weak_ptr(next.alerting)](const std::string&) {
    if (auto engine = alerting.lock()) engine->wake();
  });
  return next;
}

// Stops a probe set; the state, health and readings of probes not in `kept_probes` go with it.
void Agent::retire(Running& running, const std::vector<std::string>& kept_probes) {
  if (running.scheduler && !running.scheduler->stop()) {
    spdlog::warn("a probe was still blocked in a call and was abandoned");
  }
  if (running.alerting) running.alerting->stop();
  std::lock_guard lock(mutex_);
  for (const auto& name : probe_names_) {
    if (std::find(kept_probes.begin(), kept_probes.end(), name) != kept_probes.end()) continue;
    states_.forget(name);
    health_.remove_probe(name);
    store_.drop(name);
  }
}

void Agent::route_endpoints() {
  server_.get("/metrics", [this] {
    return HttpReply{200, "text/plain; version=0.0.4; charset=utf-8", metrics_text()};
  });
  server_.get("/healthz", [this] {
    return healthy() ? HttpReply{200, "text/plain; charset=utf-8", "ok\n"}
                     : HttpReply{503, "text/plain; charset=utf-8",
                                 "not healthy: the probes are not running\n"};
  });
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
  server_.get("/api/pipelines", [this] {
    std::shared_ptr<AlertingEngine> alerting;
    {
      std::lock_guard lock(mutex_);
      alerting = running_.alerting;
    }
    nlohmann::json body = {{"pipelines", with_incidents(pipelines_.pipelines(), alerting.get())}};
    scrub_secrets_in(body);
    return HttpReply{200, "application/json",
                     body.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"};
  });
  server_.get("/api/pipelines/history", [this] {
    return HttpReply{200, "application/json", history_.json().dump() + "\n"};
  });
  // The pipeline page (web/, issue 17): it draws on /api/pipelines and /status.
  for (const WebAsset& asset : web_assets()) {
    server_.get(std::string(asset.path), [&asset] {
      return HttpReply{200, std::string(asset.content_type), std::string(asset.body)};
    });
  }
}

void Agent::start() {
  route_endpoints();
  port_ = server_.start(http_server_options(config_.agent));
  run(config_, build_(config_, clock_));
  spdlog::info("cdcwatch {} listening on port {} with {} probes", kVersion, port_,
               probe_names_.size());
}

// Starts `probes` (with their saved states) and alerting for `config` as the running set.
void Agent::run(const Config& config, std::vector<std::unique_ptr<Probe>> probes,
                std::shared_ptr<AlertingEngine> kept_alerting) {
  bool new_alerting = !kept_alerting;
  std::vector<std::string> names = names_of(probes);
  states_.use_state_dir(config.agent.state_dir);
  Running next = prepare(config, std::move(probes), std::move(kept_alerting));
  next.scheduler->start();
  if (new_alerting) next.alerting->start();
  std::lock_guard lock(mutex_);
  running_ = std::move(next);
  probe_names_ = std::move(names);
}

// Rebinds only when the endpoint settings changed; on failure the old endpoint serves again.
bool Agent::rebind(const Config& fresh) {
  HttpServerOptions before = http_server_options(config_.agent);
  HttpServerOptions after = http_server_options(fresh.agent);
  if (same_endpoint(before, after)) return true;
  server_.stop();
  try {
    port_ = server_.start(after);
    return true;
  } catch (const std::exception& e) {
    spdlog::error("SIGHUP: {}; the endpoints stay as they were", e.what());
    // On the port it had: a `:0` address would otherwise move to another free one.
    std::string host = split_listen_address(before.listen).first;
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    before.listen = host + ":" + std::to_string(port_);
    port_ = server_.start(before);
    return false;
  }
}

bool Agent::reload(Config fresh) {
  std::vector<std::unique_ptr<Probe>> probes;
  try {
    probes = build_(fresh, clock_);  // no I/O: a config that cannot build stops nothing
  } catch (const std::exception& e) {
    spdlog::error("SIGHUP: the new config's probes cannot be built: {}", e.what());
    return false;
  }
  if (!rebind(fresh)) return false;
  Running old;
  {
    std::lock_guard lock(mutex_);
    old = std::move(running_);
  }
  std::shared_ptr<AlertingEngine> kept_alerting;
  if (alerting_identity(config_) == alerting_identity(fresh))
    kept_alerting = std::move(old.alerting);
  // The old probes finish (their last state saved) before the new ones take their states.
  retire(old, names_of(probes));
  try {
    run(fresh, std::move(probes), kept_alerting);
  } catch (const std::exception& e) {
    spdlog::error("SIGHUP: the new config cannot start ({}); restoring the previous one", e.what());
    run(config_, build_(config_, clock_), kept_alerting);
    return false;
  }
  std::lock_guard lock(mutex_);
  config_ = std::move(fresh);
  return true;
}

bool Agent::stop() {
  Running old;
  {
    std::lock_guard lock(mutex_);
    old = std::move(running_);
  }
  bool clean = !old.scheduler || old.scheduler->stop();
  if (old.alerting) old.alerting->stop();
  server_.stop();
  return clean;
}

bool Agent::ready() const { return health_.all_completed_a_cycle(); }

bool Agent::healthy() const {
  std::lock_guard lock(mutex_);
  return running_.scheduler && running_.scheduler->running();
}

std::string Agent::metrics_text() const {
  std::shared_ptr<AlertingEngine> alerting;
  {
    std::lock_guard lock(mutex_);
    alerting = running_.alerting;
  }
  Readings own;
  own.set(kBuildInfo, {{"version", kVersion}}, 1);
  own.append(health_.self_metrics());
  if (alerting) own.append(alerting->readings());
  // The probes' readings are rendered where they are, not merged into a copy first.
  auto latest = store_.latest();
  std::vector<const Readings*> parts = {&own};
  for (const auto& readings : latest) parts.push_back(readings.get());
  return render_prometheus_text(parts);
}

nlohmann::json Agent::status() const {
  std::shared_ptr<AlertingEngine> alerting;
  std::string config_file;
  std::vector<AlertRule> rules;
  std::string runbook_base_url;
  {
    std::lock_guard lock(mutex_);
    alerting = running_.alerting;
    config_file = config_.path;
    rules = config_.rules;
    runbook_base_url = config_.agent.runbook_base_url;
  }
  nlohmann::json out = {
      {"version", kVersion},
      {"started_at", format_timestamp(started_at_)},
      {"config_file", config_file},
      {"ready", ready()},
      {"probes", health_.status_json()},
      {"alerts", alerting ? with_runbook_urls(alerting->status_json(), rules, runbook_base_url)
                          : nlohmann::json(nullptr)},
      {"pipelines", with_incidents(pipelines_.pipelines(), alerting.get())},
  };
  // A probe's status comes from peers' answers; scrub in case one quoted a secret back.
  scrub_secrets_in(out);
  return out;
}

}  // namespace cdcwatch
