// The canary's warehouse stage: polls the warehouse for this agent's newest canary row. Its
// freshness is the paging signal for a sink that says RUNNING while loading nothing; its latency
// is bounded by the poll interval (exported as cdcwatch_canary_poll_interval_seconds).
#pragma once

#include <memory>
#include <optional>

#include "agent/core/probe.h"
#include "probes/canary/canary_config.h"
#include "probes/canary/canary_timeline.h"
#include "probes/canary/warehouse_reader.h"

namespace cdcwatch {

class WarehouseObserverProbe final : public Probe {
 public:
  WarehouseObserverProbe(const CanaryConfig& canary, std::unique_ptr<WarehouseReader> reader,
                         std::shared_ptr<CanaryTimeline> timeline);
  std::string name() const override { return "canary/" + canary_.name + "/warehouse"; }
  Millis interval() const override { return poll_interval_; }
  Millis timeout() const override;
  CollectOutcome collect(const CollectContext& ctx) override;
  void stop() override { reader_->cancel(); }
  nlohmann::json save_state() const override;
  void restore_state(const nlohmann::json& state) override;

 private:
  std::string identity() const;
  // Keeps a newer row than the last seen, timing its arrival.
  void take(const WarehouseRead& read, double now, double skew);

  CanaryConfig canary_;
  Millis poll_interval_;
  std::unique_ptr<WarehouseReader> reader_;
  std::shared_ptr<CanaryTimeline> timeline_;
  std::optional<TimePoint> started_;
  std::optional<WarehouseRow> newest_;
  HistogramValue latency_;
  std::optional<double> kafka_to_warehouse_;
  uint64_t sequence_restarts_ = 0;
};

std::unique_ptr<WarehouseReader> make_warehouse_reader(const WarehouseConfig& config);

}  // namespace cdcwatch
