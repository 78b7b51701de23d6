// A `kafka:` entry's lag probe that learns, before each cycle, the consumer groups of the Connect
// sink connectors committing to that cluster (connect-<sink>), from the readings store: the
// Connect probe's cdcwatch_connector_info of each `connect:` entry naming this `kafka:` entry, plus
// the sinks `pipelines:` places on it. A deleted connector's group is dropped (it would otherwise
// page as stopped forever); a Connect cluster that does not answer keeps its groups.
// Owns the lag probe and forwards every call to it; collect runs on the probe's own worker.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "agent/core/probe.h"
#include "agent/pipeline/connector_catalog.h"
#include "probes/kafka_lag/kafka_lag_probe.h"

namespace cdcwatch {

class SinkGroupLearner final : public Probe {
 public:
  // `clusters`: the connect: entries whose sinks commit to this lag probe's cluster;
  // `declared_groups`: groups of the sinks pipelines: places on it.
  SinkGroupLearner(std::unique_ptr<KafkaLagProbe> lag, std::vector<std::string> clusters,
                   std::vector<std::string> declared_groups);

  std::string name() const override { return lag_->name(); }
  Millis interval() const override { return lag_->interval(); }
  Millis timeout() const override { return lag_->timeout(); }
  void start() override { lag_->start(); }
  CollectOutcome collect(const CollectContext& ctx) override;
  void stop() override { lag_->stop(); }
  nlohmann::json save_state() const override { return lag_->save_state(); }
  void restore_state(const nlohmann::json& state) override { lag_->restore_state(state); }

 private:
  std::unique_ptr<KafkaLagProbe> lag_;
  std::vector<std::string> clusters_;
  ConnectorCatalog catalog_;
};

}  // namespace cdcwatch
