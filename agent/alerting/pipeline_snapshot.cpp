#include "agent/alerting/pipeline_snapshot.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace cdcwatch {
namespace {

std::optional<std::string> text(const nlohmann::json& object, const char* key) {
  if (!object.is_object() || !object.contains(key) || !object[key].is_string()) return std::nullopt;
  std::string value = object[key].get<std::string>();
  if (value.empty()) return std::nullopt;
  return value;
}

std::optional<ConnectorName> connector(const nlohmann::json& object, const char* key) {
  if (!object.contains(key)) return std::nullopt;
  auto connect = text(object[key], "connect");
  auto name = text(object[key], "connector");
  if (!connect || !name) return std::nullopt;
  return ConnectorName{*connect, *name};
}

// "2026-11-30T14:02:00.000Z", as format_timestamp writes it.
std::optional<TimePoint> timestamp(const nlohmann::json& object, const char* key) {
  auto written = text(object, key);
  if (!written) return std::nullopt;
  std::tm utc{};
  int millis = 0;
  if (std::sscanf(written->c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &utc.tm_year, &utc.tm_mon,
                  &utc.tm_mday, &utc.tm_hour, &utc.tm_min, &utc.tm_sec, &millis) != 7) {
    return std::nullopt;
  }
  utc.tm_year -= 1900;
  utc.tm_mon -= 1;
  return TimePoint(std::chrono::seconds(timegm(&utc)) + std::chrono::milliseconds(millis));
}

HopSnapshot hop_of(const nlohmann::json& hop) {
  HopSnapshot out;
  out.hop = text(hop, "hop").value_or("");
  out.status = text(hop, "status").value_or("unknown");
  out.reason = text(hop, "reason").value_or("");
  out.since = timestamp(hop, "since");
  if (hop.contains("readings") && hop["readings"].is_array()) out.readings = hop["readings"];
  return out;
}

PipelineSnapshot pipeline_of(const nlohmann::json& entry) {
  PipelineSnapshot out;
  out.name = *text(entry, "name");
  if (entry.contains("source")) {
    out.postgres = text(entry["source"], "postgres");
    out.slot = text(entry["source"], "slot");
  }
  out.capture = connector(entry, "capture");
  out.sink = connector(entry, "sink");
  out.kafka = entry.contains("sink") ? text(entry["sink"], "kafka") : text(entry, "kafka");
  if (entry.contains("warehouse")) {
    out.warehouse = text(entry["warehouse"], "name");
    for (const auto& table : entry["warehouse"].value("tables", nlohmann::json::array())) {
      if (table.is_string()) out.tables.push_back(table.get<std::string>());
    }
  }
  out.canary = text(entry, "canary");
  if (entry.contains("freshness_seconds") && entry["freshness_seconds"].is_number()) {
    out.freshness_seconds = entry["freshness_seconds"].get<double>();
  }
  for (const auto& hop : entry.value("hops", nlohmann::json::array())) {
    if (hop.is_object() && text(hop, "hop")) out.hops.push_back(hop_of(hop));
  }
  for (const auto& hop : out.hops) {
    for (const auto& reading : hop.readings) {
      auto sink = reading.is_object() ? text(reading.value("labels", nlohmann::json()), "sink")
                                      : std::nullopt;
      if (sink && std::find(out.sink_entries.begin(), out.sink_entries.end(), *sink) ==
                      out.sink_entries.end()) {
        out.sink_entries.push_back(*sink);
      }
    }
  }
  return out;
}

}  // namespace

const HopSnapshot* PipelineSnapshot::hop(const std::string& name) const {
  for (const auto& each : hops) {
    if (each.hop == name) return &each;
  }
  return nullptr;
}

size_t upstream_rank(const std::string& name) {
  static const char* const kOrder[] = {"source", "slot", "capture", "kafka", "sink", "warehouse"};
  for (size_t i = 0; i < std::size(kOrder); ++i) {
    if (name == kOrder[i]) return i;
  }
  return std::size(kOrder);
}

std::vector<PipelineSnapshot> pipelines_from_board(const nlohmann::json& board) {
  std::vector<PipelineSnapshot> out;
  if (!board.is_array()) return out;
  for (const auto& entry : board) {
    if (entry.is_object() && text(entry, "name")) out.push_back(pipeline_of(entry));
  }
  return out;
}

}  // namespace cdcwatch
