// The agent config for watching the pipeline simulator, shared by the drills, the demo and the
// detection benchmark: every probe on, short status windows, and the canary, task and Kafka rules
// with demo thresholds (the shipped defaults are in alerts/rules.yml), or, with
// `shipped_defaults`, exactly what an installed agent runs with.
#pragma once

#include <optional>
#include <string>

#include "tests/support/pipeline_simulator.h"

namespace cdcwatch::testing {

struct DrillSettings {
  std::string state_dir;
  std::string pagerduty_url;
  std::string listen = "127.0.0.1:0";
  std::string interval = "1s";
  std::string stale_after = "10s";  // canary freshness threshold at both stages
  std::string runbook_base_url = "https://example.com/cdcwatch/";
  // The shipped alerts/rules.yml and every default (interval, windows, timeouts, canary
  // interval): `interval` and `stale_after` are then ignored.
  bool shipped_defaults = false;
  // The simulator's Schema Registry, for its Avro mode: `schema_registry:` on the kafka: entry.
  std::string schema_registry_url;
  // `alerts.grouping`: empty for the agent's default (pipeline); the drills about one alert's
  // detection time and stage set "alert".
  std::string grouping;
};

std::string drill_config(PipelineSimulator& sim, const DrillSettings& settings);

// The value of one series, exactly as written in the exposition text (name{labels}), if present.
std::optional<double> series_value(const std::string& metrics_text, const std::string& series);

}  // namespace cdcwatch::testing
