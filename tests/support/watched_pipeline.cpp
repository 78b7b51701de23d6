#include "tests/support/watched_pipeline.h"

#include "agent/app/config.h"

namespace cdcwatch::testing {

WatchedPipeline::WatchedPipeline(std::string interval, std::string stale_after)
    : WatchedPipeline(
          DrillSettings{.interval = std::move(interval), .stale_after = std::move(stale_after)}) {}

WatchedPipeline::WatchedPipeline(ShippedDefaults)
    : WatchedPipeline(DrillSettings{.shipped_defaults = true}) {}

WatchedPipeline::WatchedPipeline(Avro avro) : sim({.orders_per_second = 5, .avro = true}) {
  start({.schema_registry_url = sim.schema_registry_url(), .grouping = avro.grouping});
}

WatchedPipeline::WatchedPipeline(DrillSettings settings) { start(std::move(settings)); }

void WatchedPipeline::start(DrillSettings settings) {
  pagerduty.start();
  settings.state_dir = state_.path();
  settings.pagerduty_url = pagerduty.url();
  Config config = parse_config(ConfigNode::load_string(drill_config(sim, settings), "drill.yml"));
  agent = std::make_unique<Agent>(config, clock_);
  agent->start();
}

WatchedPipeline::~WatchedPipeline() { agent->stop(); }

std::optional<double> WatchedPipeline::warehouse_freshness() const {
  return series_value(agent->metrics_text(),
                      "cdcwatch_canary_freshness_seconds{canary=\"shop\",stage=\"warehouse\"}");
}

}  // namespace cdcwatch::testing
