// An alerting engine wired to a local PagerDuty Events API v2 and an Alertmanager-style webhook
// receiver, on a fake clock: the rig of the notifier and grouping tests.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "agent/alerting/alerting_engine.h"
#include "agent/core/readings_store.h"
#include "tests/support/pagerduty_server.h"

namespace cdcwatch {

inline const std::string kRoutingKey = "R0UT1NGKEY0123456789abcdef012345";  // 32 characters
inline const std::string kWarningKey = "WARN1NGKEY0123456789abcdef012345";

struct PagingRig {
  PagingRig(const std::string& state_dir, std::string routing_key, std::vector<AlertRule> rules) {
    pagerduty.start();
    webhook.on("POST", "/hook", [this](const testing::RecordedRequest& r) {
      std::lock_guard lock(mutex);
      hooks.push_back(nlohmann::json::parse(r.body));
      return testing::TestReply{200, "{}"};
    });
    webhook.start();
    setup.rules = std::move(rules);
    setup.alerts.min_time_before_resolve = Millis(60000);
    PagerDutyConfig pd;
    pd.routing_key = {routing_key, "<redacted>"};
    pd.routing_keys["warning"] = {kWarningKey, "<redacted>"};
    pd.url = pagerduty.url();
    pd.dashboard_url = "https://grafana.example/d/cdcwatch-overview";
    setup.notifiers.pagerduty = pd;
    setup.notifiers.webhooks.push_back(
        {"bridge", {webhook.url() + "/hook", webhook.url() + "/hook"}, Millis(5000)});
    setup.notifiers.retry_max_delay = Millis(2000);
    setup.runbook_base_url = "https://runbooks.example/cdcwatch/";
    setup.state_dir = state_dir;
  }
  std::unique_ptr<AlertingEngine> engine() { return engine_on(store); }
  // Whether every probe has reported and the pipeline stage judged it all (the agent's
  // ProbeHealth); true unless a test says otherwise.
  std::atomic<bool> complete{true};
  std::unique_ptr<AlertingEngine> engine_on(const ReadingsStore& readings) {
    return std::make_unique<AlertingEngine>(
        setup, readings, [this] { return complete.load(); }, clock);
  }
  std::vector<nlohmann::json> hook_bodies() {
    std::lock_guard lock(mutex);
    return hooks;
  }

  testing::PagerDutyServer pagerduty;
  testing::HttpTestServer webhook;
  std::mutex mutex;
  std::vector<nlohmann::json> hooks;
  AlertingSetup setup;
  ReadingsStore store;
  FakeClock clock;
};

}  // namespace cdcwatch
