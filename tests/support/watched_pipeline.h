// The pipeline simulator with a whole cdcwatch agent (in this process) watching it and paging a
// local PagerDuty: the set-up the drills and the benchmarks share. The agent starts on
// construction and stops on destruction.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "agent/app/agent.h"
#include "tests/support/child_process.h"
#include "tests/support/drill_config.h"
#include "tests/support/pagerduty_server.h"
#include "tests/support/pipeline_simulator.h"

namespace cdcwatch::testing {

class WatchedPipeline {
 public:
  explicit WatchedPipeline(std::string interval = "1s", std::string stale_after = "10s");
  // With the shipped rules and every default, as an installed agent runs.
  struct ShippedDefaults {};
  explicit WatchedPipeline(ShippedDefaults);
  // The simulator in Avro mode (change events in Confluent's Avro wire format, schemas in its
  // local Schema Registry), the agent with `schema_registry:` on its kafka: entry; drill settings.
  struct Avro {
    std::string grouping;  // `alerts.grouping`, as DrillSettings.grouping
  };
  explicit WatchedPipeline(Avro);
  // Any settings; the state directory and PagerDuty's URL are filled in.
  explicit WatchedPipeline(DrillSettings settings);
  ~WatchedPipeline();
  WatchedPipeline(const WatchedPipeline&) = delete;
  WatchedPipeline& operator=(const WatchedPipeline&) = delete;

  // Seconds since the newest canary reached the warehouse, once the agent reports it.
  std::optional<double> warehouse_freshness() const;

  PipelineSimulator sim{{.orders_per_second = 5}};
  PagerDutyServer pagerduty;
  std::unique_ptr<Agent> agent;

 private:
  void start(DrillSettings settings);
  TempDir state_;
  SystemClock clock_;
};

}  // namespace cdcwatch::testing
