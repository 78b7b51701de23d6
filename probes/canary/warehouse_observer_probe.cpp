#include "probes/canary/warehouse_observer_probe.h"

#include "probes/canary/canary_metrics.h"
#include "probes/canary/pg_warehouse_reader.h"
#include "probes/canary/snowflake_reader.h"

namespace cdcwatch {
namespace {

const MetricDef kPollInterval{"cdcwatch_canary_poll_interval_seconds",
                              "How often the stage is polled: the resolution of its latency"};

}  // namespace

std::unique_ptr<WarehouseReader> make_warehouse_reader(const WarehouseConfig& config) {
  if (config.snowflake) return std::make_unique<SnowflakeReader>(*config.snowflake);
  return std::make_unique<PgWarehouseReader>(*config.postgres);
}

WarehouseObserverProbe::WarehouseObserverProbe(const CanaryConfig& canary,
                                               std::unique_ptr<WarehouseReader> reader,
                                               std::shared_ptr<CanaryTimeline> timeline)
    : canary_(canary),
      poll_interval_(canary.warehouse && canary.warehouse->poll_interval
                         ? *canary.warehouse->poll_interval
                         : canary.interval),
      reader_(std::move(reader)),
      timeline_(std::move(timeline)),
      latency_(canary_latency_buckets()) {}

Millis WarehouseObserverProbe::timeout() const {
  Millis statement = canary_.warehouse && canary_.warehouse->snowflake
                         ? canary_.warehouse->snowflake->timeout
                         : Millis(10000);
  return std::max(poll_interval_, statement + Millis(5000));
}

CollectOutcome WarehouseObserverProbe::collect(const CollectContext& ctx) {
  CollectOutcome outcome;
  if (!started_) started_ = ctx.clock.now();
  Labels stage = {{"canary", canary_.name}, {"stage", "warehouse"}};
  outcome.readings.set(kPollInterval, stage, static_cast<double>(poll_interval_.count()) / 1000.0);
  WarehouseRead read = reader_->newest(canary_.agent_id, ctx.deadline, ctx.clock);
  if (!read.ok()) {
    outcome.readings.set_histogram(kCanaryLatency, stage, latency_);
    // Unknown is not stale: no freshness series, so the probe-down alert speaks instead.
    outcome.fail(read.error_reason, "canary " + canary_.name + " warehouse: " + read.error_message);
    return outcome;
  }
  double now = to_unix_seconds(ctx.clock.now());
  double skew = timeline_->clock_skew();
  if (read.row && (!newest_ || read.row->seq > newest_->seq)) {
    bool arrival_seen =
        newest_.has_value();  // the row found at start-up arrived at an unknown time
    newest_ = read.row;
    if (arrival_seen) {
      latency_.observe(std::max(0.0, now - (newest_->written_at + skew)));
      if (auto at_kafka = timeline_->kafka_time(newest_->seq)) {
        kafka_to_warehouse_ = std::max(0.0, now - *at_kafka);
      }
    }
  }
  outcome.readings.set_histogram(kCanaryLatency, stage, latency_);
  if (kafka_to_warehouse_) {
    outcome.readings.set(kCanaryHopLatency,
                         {{"canary", canary_.name}, {"hop", "kafka_to_warehouse"}},
                         *kafka_to_warehouse_);
  }
  std::optional<SeenCanary> seen;
  if (newest_) seen = SeenCanary{newest_->written_at + skew, newest_->seq};
  outcome.status = report_stage_freshness(
      outcome.readings, stage, now, seen, to_unix_seconds(*started_),
      "no canary row for agent_id " + canary_.agent_id + " in the warehouse");
  return outcome;
}

}  // namespace cdcwatch
