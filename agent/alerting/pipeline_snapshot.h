// The pipelines as the pipeline stage last published them (the GET /api/pipelines array, see
// agent/pipeline/README.md), read back into plain values for attribution and grouping. Alerting
// takes them as JSON so that it depends on no probe; an entry that does not parse is skipped.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "agent/core/clock.h"

namespace cdcwatch {

struct HopSnapshot {
  std::string hop;     // source, slot, capture, kafka, sink, warehouse
  std::string status;  // ok, degraded, failing, unknown
  std::string reason;
  std::optional<TimePoint> since;
  nlohmann::json readings = nlohmann::json::array();  // as in /api/pipelines
};

struct ConnectorName {
  std::string connect;
  std::string connector;
};

struct PipelineSnapshot {
  std::string name;
  std::optional<std::string> postgres;
  std::optional<std::string> slot;
  std::optional<ConnectorName> capture;
  std::optional<ConnectorName> sink;
  std::optional<std::string> kafka;
  std::optional<std::string> warehouse;
  std::vector<std::string> tables;
  std::optional<std::string> canary;
  std::vector<std::string> sink_entries;    // `sinks:` entries (probes/sink_truth) its hops read
  std::optional<double> freshness_seconds;  // the canary's at the warehouse
  std::vector<HopSnapshot> hops;            // upstream first

  const HopSnapshot* hop(const std::string& name) const;
};

// A hop's place from upstream (source 0 ... warehouse 5); a name that is no hop sorts last.
size_t upstream_rank(const std::string& hop);

std::vector<PipelineSnapshot> pipelines_from_board(const nlohmann::json& board);

}  // namespace cdcwatch
