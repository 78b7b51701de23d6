#include "probes/canary/warehouse_observer_probe.h"

#include "probes/canary/canary_metrics.h"
#include "probes/canary/canary_order.h"
#include "probes/canary/canary_state.h"
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
  double now = to_unix_seconds(ctx.clock.now());
  double skew = timeline_->clock_skew();
  if (read.ok()) take(read, now, skew);
  outcome.readings.set_histogram(kCanaryLatency, stage, latency_);
  if (kafka_to_warehouse_) {
    outcome.readings.set(kCanaryHopLatency,
                         {{"canary", canary_.name}, {"hop", "kafka_to_warehouse"}},
                         *kafka_to_warehouse_);
  }
  std::optional<SeenCanary> seen;
  if (newest_) seen = SeenCanary{newest_->written_at + skew, newest_->seq};
  std::string error =
      read.ok() ? "" : "canary " + canary_.name + " warehouse: " + read.error_message;
  outcome.status = report_stage_freshness(
      outcome.readings, stage, now, seen, to_unix_seconds(*started_),
      "no canary row for agent_id " + canary_.agent_id + " in the warehouse", error);
  if (sequence_restarts_ > 0) outcome.status["sequence_restarts"] = sequence_restarts_;
  if (!read.ok()) outcome.fail(read.error_reason, error);
  return outcome;
}

std::string WarehouseObserverProbe::identity() const {
  std::string table;
  if (canary_.warehouse && canary_.warehouse->snowflake)
    table = canary_.warehouse->snowflake->table;
  if (canary_.warehouse && canary_.warehouse->postgres) table = canary_.warehouse->postgres->table;
  return canary_.agent_id + " in table " + table;
}

nlohmann::json WarehouseObserverProbe::save_state() const {
  if (!started_) return nullptr;
  CanaryStageState state{identity(), to_unix_seconds(*started_), std::nullopt, {}};
  if (newest_) state.newest = {newest_->seq, newest_->written_at, 0};
  return save_stage_state(state);
}

void WarehouseObserverProbe::restore_state(const nlohmann::json& saved) {
  auto state = restore_stage_state(saved, identity(), name());
  if (!state) return;
  started_ = from_unix_seconds(state->watching_since);
  if (state->newest) newest_ = WarehouseRow{state->newest->seq, state->newest->written_at};
}

void WarehouseObserverProbe::take(const WarehouseRead& read, double now, double skew) {
  if (!read.row) return;
  if (newest_ &&
      !replaces_newest(read.row->seq, read.row->written_at, newest_->seq, newest_->written_at,
                       "canary " + canary_.name + " warehouse", sequence_restarts_)) {
    return;
  }
  bool arrival_seen = newest_.has_value();  // the row found at start-up arrived at an unknown time
  newest_ = read.row;
  if (!arrival_seen) return;
  latency_.observe(std::max(0.0, now - (newest_->written_at + skew)));
  if (auto at_kafka = timeline_->kafka_time(newest_->seq)) {
    kafka_to_warehouse_ = std::max(0.0, now - *at_kafka);
  }
}

}  // namespace cdcwatch
