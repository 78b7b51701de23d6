#include "agent/pipeline/pipeline_stage.h"

#include "agent/pipeline/hop_rules.h"
#include "agent/pipeline/pipeline_metrics.h"
#include "agent/pipeline/pipeline_report.h"
#include "probes/canary/canary_metrics.h"
#include "probes/connect/connect_metrics.h"
#include "probes/pg_slots/pg_slots_metrics.h"

namespace cdcwatch {

PipelineStage::PipelineStage(StageSetup setup, PipelineBoard& board)
    : setup_(std::move(setup)), board_(board) {}

std::vector<PipelineDef> PipelineStage::pipelines(const ReadingsView& latest) {
  if (!setup_.declared.empty()) return setup_.declared;
  std::vector<std::string> clusters;
  for (const auto& [cluster, kafka] : setup_.derivation.connect_kafka) clusters.push_back(cluster);
  catalog_.update(latest, clusters);
  // A slot keeps its postgres entry while that server is out of sight (an outage).
  for (const auto& series : latest.find(slot_metrics::kActive.name, {})) {
    auto source = label_value(series.labels, "source");
    auto slot = label_value(series.labels, "slot");
    if (source && slot) {
      slots_[{*slot, label_value(series.labels, "database").value_or("")}] = *source;
    }
  }
  return derive_pipelines(catalog_.connectors(), slots_, setup_.derivation);
}

std::optional<std::string> PipelineStage::kafka_of_sink(const ConnectorInfo& connector) const {
  for (const auto& pipeline : setup_.declared) {
    if (pipeline.sink && pipeline.kafka && pipeline.sink->connect == connector.connect &&
        pipeline.sink->connector == connector.name) {
      return pipeline.kafka;
    }
  }
  auto entry = setup_.derivation.connect_kafka.find(connector.connect);
  return entry == setup_.derivation.connect_kafka.end() ? std::nullopt : entry->second;
}

std::map<std::string, bool> PipelineStage::judge_stalls(const CollectContext& ctx,
                                                        CollectOutcome& outcome) {
  std::map<std::string, bool> stalled;
  outcome.status["connectors"] = nlohmann::json::object();
  for (const auto& [cluster, stall_after] : setup_.stall_after) {
    if (ctx.latest.first_value(connect_metrics::kUp.name, {{"connect", cluster}}) != 1.0) continue;
    for (const auto& connector : read_connectors(ctx.latest, cluster)) {
      StallVerdict verdict = stalls_.judge(connector, kafka_of_sink(connector), stall_after,
                                           ctx.latest, ctx.clock.now());
      Labels labels = {
          {"connect", cluster}, {"connector", connector.name}, {"type", connector.type}};
      outcome.readings.set(connect_metrics::kStalled, labels, verdict.stalled ? 1 : 0);
      if (verdict.source_lag_bytes) {
        outcome.readings.set(connect_metrics::kSourceLag, labels, *verdict.source_lag_bytes);
      }
      stalled[cluster + "/" + connector.name] = verdict.stalled;
      outcome.status["connectors"][cluster + "/" + connector.name] = {
          {"stalled", verdict.stalled}, {"input", verdict.input_note}};
    }
  }
  return stalled;
}

void PipelineStage::report(const PipelineDef& pipeline, const std::map<std::string, bool>& stalled,
                           const CollectContext& ctx, CollectOutcome& outcome,
                           nlohmann::json& board) {
  TimePoint now = ctx.clock.now();
  std::vector<HopVerdict> verdicts = judge_hops(pipeline, ctx.latest, stalled);
  blame_upstream(verdicts);
  std::vector<JudgedHop> hops;
  for (auto& verdict : verdicts) {
    auto [it, fresh] =
        since_.try_emplace({pipeline.name, verdict.hop}, std::pair{verdict.status, now});
    if (it->second.first != verdict.status) it->second = {verdict.status, now};
    for (HopStatus status : kAllHopStatuses) {
      outcome.readings.set(pipeline_metrics::kHopStatus,
                           {{"pipeline", pipeline.name},
                            {"hop", to_string(verdict.hop)},
                            {"status", to_string(status)}},
                           status == verdict.status ? 1 : 0);
    }
    hops.push_back({std::move(verdict), it->second.second});
  }
  std::optional<double> freshness;
  if (pipeline.canary) {
    freshness = ctx.latest.first_value(kCanaryFreshness.name,
                                       {{"canary", *pipeline.canary}, {"stage", "warehouse"}});
  }
  if (freshness) {
    outcome.readings.set(pipeline_metrics::kFreshness, {{"pipeline", pipeline.name}}, *freshness);
  }
  board.push_back(report_pipeline(pipeline, hops, freshness, now));
}

CollectOutcome PipelineStage::collect(const CollectContext& ctx) {
  CollectOutcome outcome;
  std::map<std::string, bool> stalled = judge_stalls(ctx, outcome);
  nlohmann::json board = nlohmann::json::array();
  std::vector<PipelineDef> watched = pipelines(ctx.latest);
  for (const auto& pipeline : watched) report(pipeline, stalled, ctx, outcome, board);
  std::erase_if(since_, [&](const auto& entry) {
    return std::none_of(watched.begin(), watched.end(),
                        [&](const auto& p) { return p.name == entry.first.first; });
  });
  outcome.status["pipelines"] = watched.size();
  outcome.status["formed_from"] = setup_.declared.empty() ? "Kafka Connect" : "pipelines:";
  board_.publish(std::move(board));
  return outcome;
}

}  // namespace cdcwatch
