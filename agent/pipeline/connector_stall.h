// The stall rule (the case study's Challenge 4: RUNNING while loading nothing). It joins what
// Connect says with what the slot and the sink's consumer group show, so it lives here, over the
// readings store, rather than in the Connect probe:
//   stalled  the connector is RUNNING and has tasks, all RUNNING; input is waiting; and its
//            committed offsets have not advanced for the connect entry's stall_after.
// Input waiting:
//   sink    its group connect-<name> lags (> 0) on the kafka: entry that holds it;
//   source  the server's WAL position is beyond the connector's committed LSN and the slot's
//           confirmed flush lags the server (slot `slot.name`, default `debezium`, found on the
//           postgres: entry whose slot probe reports it in `database.dbname`).
// Progress: the Connect probe's seconds since progress (offsets API, offsets topic); for a sink on
// a worker without the offsets API, the group's committed offset sum, timed here.
// A FAILED connector or task, MISSING, or an unreachable worker is never a stall.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "agent/core/clock.h"
#include "agent/core/readings_view.h"
#include "agent/core/units.h"
#include "agent/pipeline/connector_catalog.h"

namespace cdcwatch {

struct StallInputs {
  bool running_with_all_tasks = false;
  std::optional<bool> input_waiting;  // unknown: not stalled
  std::optional<double> seconds_since_progress;
};

// The rule itself: pure.
bool is_stalled(const StallInputs& inputs, Millis stall_after);

struct StallVerdict {
  StallInputs inputs;
  bool stalled = false;
  std::optional<double> source_lag_bytes;  // sources: server WAL minus the committed LSN
  std::string input_note;                  // what was checked for input, for /status
};

// Gathers the rule's inputs from the readings store; remembers when a sink group's committed
// offsets last moved. Not thread-safe (the pipeline stage's worker).
class StallWatch {
 public:
  // `kafka`: the kafka: entry holding a sink's group, if any.
  StallVerdict judge(const ConnectorInfo& connector, const std::optional<std::string>& kafka,
                     Millis stall_after, const ReadingsView& latest, TimePoint now);
  // When each sink group's committed offsets last moved, across restarts (Probe::save_state).
  nlohmann::json save() const;
  // Skips what is malformed; returns how many entries were skipped.
  int restore(const nlohmann::json& saved);

 private:
  struct Progress {
    double value = 0;
    TimePoint since{};
  };
  std::optional<double> group_seconds_since_progress(const std::string& key, double committed,
                                                     TimePoint now);
  void sink_input(const ConnectorInfo& connector, const std::optional<std::string>& kafka,
                  const ReadingsView& latest, TimePoint now, StallVerdict& verdict);
  std::map<std::string, Progress> group_progress_;  // by connect/connector
};

}  // namespace cdcwatch
