#include "agent/pipeline/pipeline_stage.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "agent/pipeline/hop_rules.h"
#include "agent/pipeline/pipeline_metrics.h"
#include "agent/pipeline/pipeline_report.h"
#include "agent/pipeline/unix_time.h"
#include "probes/canary/canary_metrics.h"
#include "probes/connect/connect_metrics.h"
#include "probes/pg_slots/slot_metrics.h"

namespace cdcwatch {
namespace {

// Hops whose "since" is kept across restarts: six per pipeline, for more pipelines than any agent
// watches.
constexpr size_t kMaxSavedHops = 6000;
// A pipeline gone this long (its connectors deleted) forgets its hops' clocks. Long enough to
// outlast a Connect cluster that does not answer, whose pipelines stay anyway.
constexpr auto kForgetVanishedAfter = std::chrono::hours(1);
// Which postgres: entry reported which slot, kept across restarts: more slots than any agent sees.
constexpr size_t kMaxSavedSlots = 1000;

// The string at `key` of a saved object, or empty: saved state may be anything.
std::string saved_string(const nlohmann::json& saved, const char* key) {
  auto it = saved.find(key);
  return it != saved.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

PipelineStage::PipelineStage(StageSetup setup, PipelineBoard& board)
    : setup_(std::move(setup)), board_(board), declared_(setup_.declared) {
  // A declared sink without `kafka:` commits to its connect entry's kafka: entry, if it has one.
  for (auto& pipeline : declared_) {
    if (pipeline.kafka || !pipeline.sink) continue;
    auto entry = setup_.derivation.connect_kafka.find(pipeline.sink->connect);
    if (entry != setup_.derivation.connect_kafka.end()) pipeline.kafka = entry->second;
  }
}

std::vector<PipelineDef> PipelineStage::pipelines(const ReadingsView& latest) {
  if (!setup_.declared.empty()) return declared_;
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
  for (const auto& pipeline : declared_) {
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

TimePoint PipelineStage::since(const std::string& pipeline, Hop hop, HopStatus status,
                               TimePoint now) {
  HopClock& clock = since_[{pipeline, hop}];
  if (clock.since == TimePoint{} || clock.status != status) clock = {status, now, now};
  clock.seen = now;
  return clock.since;
}

void PipelineStage::report(const PipelineDef& pipeline, const std::map<std::string, bool>& stalled,
                           const CollectContext& ctx, CollectOutcome& outcome,
                           nlohmann::json& board) {
  TimePoint now = ctx.clock.now();
  std::vector<HopVerdict> verdicts = judge_hops(pipeline, ctx.latest, stalled);
  blame_upstream(verdicts);
  std::vector<JudgedHop> hops;
  for (auto& verdict : verdicts) {
    TimePoint hop_since = since(pipeline.name, verdict.hop, verdict.status, now);
    for (HopStatus status : kAllHopStatuses) {
      outcome.readings.set(pipeline_metrics::kHopStatus,
                           {{"pipeline", pipeline.name},
                            {"hop", to_string(verdict.hop)},
                            {"status", to_string(status)}},
                           status == verdict.status ? 1 : 0);
    }
    hops.push_back({std::move(verdict), hop_since});
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
    const HopClock& clock = entry.second;
    return clock.seen != TimePoint{} && ctx.clock.now() - clock.seen > kForgetVanishedAfter;
  });
  outcome.status["pipelines"] = watched.size();
  outcome.status["formed_from"] = setup_.declared.empty() ? "Kafka Connect" : "pipelines:";
  board_.publish(std::move(board));
  return outcome;
}

nlohmann::json PipelineStage::save_state() const {
  nlohmann::json hops = nlohmann::json::array();
  for (const auto& [key, clock] : since_) {
    hops.push_back({{"pipeline", key.first},
                    {"hop", to_string(key.second)},
                    {"status", to_string(clock.status)},
                    {"since", to_unix_seconds(clock.since)}});
  }
  // A restart during a PostgreSQL outage must not lose which entry the derived pipeline's source
  // is: the server cannot report its slots again until it is back.
  nlohmann::json slots = nlohmann::json::array();
  for (const auto& [slot, postgres] : slots_) {
    if (slots.size() >= kMaxSavedSlots) break;
    slots.push_back({{"slot", slot.first}, {"database", slot.second}, {"postgres", postgres}});
  }
  return {{"hops", hops}, {"sink_groups", stalls_.save()}, {"slots", slots}};
}

// Only sightings of postgres: entries the config still has; live ones win over restored ones.
void PipelineStage::restore_slots(const nlohmann::json& slots) {
  const auto& entries = setup_.derivation.postgres;
  for (const auto& saved : slots) {
    std::string slot = saved_string(saved, "slot");
    std::string postgres = saved_string(saved, "postgres");
    if (slot.empty() || std::find(entries.begin(), entries.end(), postgres) == entries.end() ||
        slots_.size() >= kMaxSavedSlots) {
      continue;
    }
    slots_.try_emplace({slot, saved_string(saved, "database")}, postgres);
  }
}

void PipelineStage::restore_hops(const nlohmann::json& hops) {
  int skipped = 0;
  for (const auto& saved : hops) {
    std::optional<Hop> hop;
    std::optional<HopStatus> status;
    if (saved.is_object() && saved.contains("since") && saved["since"].is_number()) {
      hop = hop_named(saved_string(saved, "hop"));
      status = hop_status_named(saved_string(saved, "status"));
    }
    std::string pipeline = saved_string(saved, "pipeline");
    if (!hop || !status || pipeline.empty() || since_.size() >= kMaxSavedHops) {
      ++skipped;
      continue;
    }
    since_[{pipeline, *hop}] = {*status, from_unix_seconds(saved["since"].get<double>()), {}};
  }
  if (skipped > 0) spdlog::warn("pipeline: ignored {} malformed saved hops", skipped);
}

void PipelineStage::restore_state(const nlohmann::json& state) {
  if (state.is_null()) return;
  if (!state.is_object()) {
    spdlog::warn("pipeline: saved state is not an object; hop clocks start afresh");
    return;
  }
  if (state.contains("hops") && state["hops"].is_array()) restore_hops(state["hops"]);
  if (state.contains("slots") && state["slots"].is_array()) restore_slots(state["slots"]);
  if (state.contains("sink_groups")) {
    int skipped = stalls_.restore(state["sink_groups"]);
    if (skipped > 0) spdlog::warn("pipeline: ignored {} malformed saved sink groups", skipped);
  }
}

}  // namespace cdcwatch
