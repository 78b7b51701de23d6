#include "agent/pipeline/connector_stall.h"

#include <algorithm>

#include "agent/pipeline/pipeline_def.h"
#include "agent/pipeline/unix_time.h"
#include "probes/connect/connect_metrics.h"
#include "probes/kafka_lag/lag_metrics.h"
#include "probes/pg_slots/slot_metrics.h"

namespace cdcwatch {
namespace {

Labels connector_labels(const ConnectorInfo& connector) {
  return {{"connect", connector.connect}, {"connector", connector.name}};
}

bool running_with_all_tasks(const ConnectorInfo& connector, const ReadingsView& latest) {
  Labels labels = connector_labels(connector);
  Labels running = labels;
  running.emplace_back("state", "RUNNING");
  if (latest.first_value(connect_metrics::kState.name, running) != 1.0) return false;
  double all = 0;
  for (const auto& series : latest.find(connect_metrics::kTasks.name, labels)) all += series.value;
  return all > 0 && latest.first_value(connect_metrics::kTasks.name, running) == all;
}

void source_input(const ConnectorInfo& connector, const ReadingsView& latest,
                  StallVerdict& verdict) {
  std::string slot = connector.config_or("slot.name", "debezium");
  Labels match = {{"slot", slot}};
  if (auto database = connector.config.find("database.dbname");
      database != connector.config.end()) {
    match.emplace_back("database", database->second);
  }
  auto slots = latest.find(slot_metrics::kActive.name, match);
  if (slots.empty()) {
    verdict.input_note =
        "no postgres: entry reports slot " + slot + "; add the source database to see its WAL";
    return;
  }
  std::string source = label_value(slots.front().labels, "source").value_or("");
  auto wal = latest.first_value(slot_metrics::kWalLsn.name, {{"source", source}});
  auto flush_lag =
      latest.first_value(slot_metrics::kFlushLagBytes.name, {{"source", source}, {"slot", slot}});
  auto lsn = latest.first_value(connect_metrics::kSourceLsn.name, connector_labels(connector));
  if (wal && lsn) verdict.source_lag_bytes = std::max(0.0, *wal - *lsn);
  if (verdict.source_lag_bytes && flush_lag) {
    verdict.inputs.input_waiting = *verdict.source_lag_bytes > 0 && *flush_lag > 0;
  }
  verdict.input_note = "slot " + slot + " on postgres " + source;
}

// More sink groups than a cluster plausibly has: what save() keeps at most.
constexpr size_t kMaxSavedGroups = 10000;

}  // namespace

bool is_stalled(const StallInputs& inputs, Millis stall_after) {
  return inputs.running_with_all_tasks && inputs.input_waiting.value_or(false) &&
         inputs.seconds_since_progress &&
         *inputs.seconds_since_progress * 1000 >= static_cast<double>(stall_after.count());
}

std::optional<double> StallWatch::group_seconds_since_progress(const std::string& key,
                                                               double committed, TimePoint now) {
  auto [it, fresh] = group_progress_.try_emplace(key, Progress{committed, now});
  if (!fresh && it->second.value != committed) it->second = {committed, now};
  return std::chrono::duration<double>(now - it->second.since).count();
}

void StallWatch::sink_input(const ConnectorInfo& connector, const std::optional<std::string>& kafka,
                            const ReadingsView& latest, TimePoint now, StallVerdict& verdict) {
  std::string group = sink_group(connector.name);
  if (!kafka) {
    verdict.input_note = "set kafka: on connect entry " + connector.connect +
                         " to know whether input waits for group " + group;
    return;
  }
  Labels labels = {{"kafka", *kafka}, {"group", group}};
  auto lag = latest.first_value(kafka_lag_metrics::kGroupLag.name, labels);
  if (lag) verdict.inputs.input_waiting = *lag > 0;
  verdict.input_note = lag ? "group " + group + " lag " + std::to_string(static_cast<int64_t>(*lag))
                           : "no lag reading for group " + group + " yet";
  if (verdict.inputs.seconds_since_progress) return;
  auto committed = latest.first_value(kafka_lag_metrics::kGroupCommittedOffsets.name, labels);
  if (committed) {
    verdict.inputs.seconds_since_progress =
        group_seconds_since_progress(connector.connect + "/" + connector.name, *committed, now);
  }
}

nlohmann::json StallWatch::save() const {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, progress] : group_progress_) {
    out[key] = {{"value", progress.value}, {"since", to_unix_seconds(progress.since)}};
  }
  return out;
}

int StallWatch::restore(const nlohmann::json& saved) {
  int skipped = 0;
  if (!saved.is_object()) return saved.is_null() ? 0 : 1;
  for (const auto& [key, entry] : saved.items()) {
    if (group_progress_.size() >= kMaxSavedGroups || !entry.is_object() ||
        !entry.contains("value") || !entry["value"].is_number() || !entry.contains("since") ||
        !entry["since"].is_number()) {
      ++skipped;
      continue;
    }
    group_progress_[key] = {entry["value"].get<double>(),
                            from_unix_seconds(entry["since"].get<double>())};
  }
  return skipped;
}

StallVerdict StallWatch::judge(const ConnectorInfo& connector,
                               const std::optional<std::string>& kafka, Millis stall_after,
                               const ReadingsView& latest, TimePoint now) {
  StallVerdict verdict;
  verdict.inputs.running_with_all_tasks = running_with_all_tasks(connector, latest);
  verdict.inputs.seconds_since_progress =
      latest.first_value(connect_metrics::kSinceProgress.name, connector_labels(connector));
  if (connector.type == "sink") sink_input(connector, kafka, latest, now, verdict);
  if (connector.type == "source") source_input(connector, latest, verdict);
  verdict.stalled = is_stalled(verdict.inputs, stall_after);
  return verdict;
}

}  // namespace cdcwatch
