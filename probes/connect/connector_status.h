// Connector and task state as the Kafka Connect REST API reports them.
// GET /connectors?expand=status&expand=info (Kafka 2.3+, KIP-465) answers
//   {"<name>": {"status": {"name", "connector": {"state", "worker_id"}, "tasks": [{"id", "state",
//    "worker_id", "trace"?}], "type"}, "info": {"name", "config": {...}, "tasks", "type"}}, ...}
// and GET /connectors/<name>/status answers the "status" object alone.
// https://kafka.apache.org/documentation/#connect_rest
// https://docs.confluent.io/platform/current/connect/references/restapi.html
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace cdcwatch {

inline constexpr const char* kConnectorStates[] = {"UNASSIGNED", "RUNNING", "PAUSED",
                                                   "STOPPED",    "FAILED",  "RESTARTING"};

struct TaskStatus {
  int id = 0;
  std::string state;
  std::string trace_first_line;  // FAILED tasks only
};

struct ConnectorStatus {
  std::string name;
  std::string type;  // source, sink, or unknown
  std::string state;
  std::vector<TaskStatus> tasks;
  std::map<std::string, std::string> config;  // from info; empty when the worker gave none

  bool running_with_all_tasks() const;
};

// Parses the expand=status&expand=info answer; an error names what is malformed. An answer that is
// a plain array of names (a worker too old for expand) gives `names` instead.
struct ExpandedParse {
  std::vector<ConnectorStatus> connectors;
  std::optional<std::vector<std::string>> names;
  std::string error;
};
ExpandedParse parse_expanded_connectors(const std::string& body);

// One connector's /status (and optionally /connectors/<name> for info); empty error on success.
std::string parse_connector_status(const nlohmann::json& status, ConnectorStatus& out);
void apply_connector_info(const nlohmann::json& info, ConnectorStatus& out);

}  // namespace cdcwatch
