// The pipeline stage: scheduled like a probe, but it reads no system, only the readings store.
// Each cycle it
//   1. takes the pipelines declared in `pipelines:`, or derives them from Connect's connectors
//      (pipeline_derivation.h);
//   2. runs the stall rule for every connector of an answering Connect cluster
//      (connector_stall.h), reporting cdcwatch_connector_stalled and
//      cdcwatch_connector_source_lag_bytes;
//   3. judges each pipeline's hops (hop_rules.h), remembers since when each hop has had its
//      status, reports cdcwatch_pipeline_hop_status and cdcwatch_pipeline_freshness_seconds, and
//      publishes the pipelines to the board behind GET /api/pipelines.
// The scheduler runs it on its own worker; the board is the only thing shared.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/core/probe.h"
#include "agent/pipeline/connector_catalog.h"
#include "agent/pipeline/connector_stall.h"
#include "agent/pipeline/hop_status.h"
#include "agent/pipeline/pipeline_board.h"
#include "agent/pipeline/pipeline_def.h"
#include "agent/pipeline/pipeline_derivation.h"

namespace cdcwatch {

inline constexpr const char* kPipelineStageName = "pipeline";

struct StageSetup {
  std::vector<PipelineDef> declared;  // the pipelines: section; empty: derive from Connect
  DerivationSetup derivation;
  std::map<std::string, Millis> stall_after;  // by connect: entry
  Millis interval{15000};
};

class PipelineStage final : public Probe {
 public:
  PipelineStage(StageSetup setup, PipelineBoard& board);
  std::string name() const override { return kPipelineStageName; }
  Millis interval() const override { return setup_.interval; }
  CollectOutcome collect(const CollectContext& ctx) override;
  // Since when each hop has had its status, when each sink group last committed, and which
  // postgres: entry reported which slot: a restart neither resets "failing since 14:02" nor the
  // stall clock of a sink on an old worker, nor loses a derived pipeline's source in an outage.
  nlohmann::json save_state() const override;
  void restore_state(const nlohmann::json& state) override;

 private:
  std::vector<PipelineDef> pipelines(const ReadingsView& latest);
  std::map<std::string, bool> judge_stalls(const CollectContext& ctx, CollectOutcome& outcome);
  std::optional<std::string> kafka_of_sink(const ConnectorInfo& connector) const;
  void restore_hops(const nlohmann::json& hops);
  void restore_slots(const nlohmann::json& slots);
  void report(const PipelineDef& pipeline, const std::map<std::string, bool>& stalled,
              const CollectContext& ctx, CollectOutcome& outcome, nlohmann::json& board);

  StageSetup setup_;
  PipelineBoard& board_;
  std::vector<PipelineDef> declared_;  // with each sink's kafka: entry filled in
  ConnectorCatalog catalog_;
  SlotSightings slots_;
  StallWatch stalls_;
  struct HopClock {
    HopStatus status = HopStatus::kUnknown;
    TimePoint since{};
    TimePoint seen{};  // when the pipeline was last watched; zero: restored, not seen yet
  };
  // Since when the hop has had `status` (now, when that is new).
  TimePoint since(const std::string& pipeline, Hop hop, HopStatus status, TimePoint now);
  std::map<std::pair<std::string, Hop>, HopClock> since_;
};

}  // namespace cdcwatch
