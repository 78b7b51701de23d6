#include "probes/connect/connector_status.h"

namespace cdcwatch {

bool ConnectorStatus::running_with_all_tasks() const {
  if (state != "RUNNING" || tasks.empty()) return false;
  for (const auto& task : tasks) {
    if (task.state != "RUNNING") return false;
  }
  return true;
}

std::string parse_connector_status(const nlohmann::json& status, ConnectorStatus& out) {
  if (!status.is_object() || !status.contains("connector") || !status["connector"].is_object() ||
      !status["connector"].contains("state") || !status["connector"]["state"].is_string()) {
    return "status of " + out.name + " has no connector.state";
  }
  out.state = status["connector"]["state"].get<std::string>();
  if (status.contains("type") && status["type"].is_string())
    out.type = status["type"].get<std::string>();
  out.tasks.clear();
  if (status.contains("tasks") && status["tasks"].is_array()) {
    for (const auto& task : status["tasks"]) {
      if (!task.is_object() || !task.contains("id") || !task["id"].is_number_integer() ||
          !task.contains("state") || !task["state"].is_string()) {
        return "status of " + out.name + " has a task without id or state";
      }
      TaskStatus parsed{task["id"].get<int>(), task["state"].get<std::string>(), ""};
      if (task.contains("trace") && task["trace"].is_string()) {
        std::string trace = task["trace"].get<std::string>();
        parsed.trace_first_line = trace.substr(0, std::min(trace.find('\n'), size_t{500}));
      }
      out.tasks.push_back(std::move(parsed));
    }
  }
  return "";
}

void apply_connector_info(const nlohmann::json& info, ConnectorStatus& out) {
  if (!info.is_object()) return;
  if (info.contains("type") && info["type"].is_string() && out.type.empty())
    out.type = info["type"].get<std::string>();
  if (info.contains("config") && info["config"].is_object()) {
    for (const auto& [key, value] : info["config"].items()) {
      if (value.is_string()) out.config[key] = value.get<std::string>();
    }
  }
}

ExpandedParse parse_expanded_connectors(const std::string& body) {
  ExpandedParse out;
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded()) {
    out.error = "GET /connectors answered with malformed JSON";
    return out;
  }
  if (doc.is_array()) {
    std::vector<std::string> names;
    for (const auto& name : doc) {
      if (name.is_string()) names.push_back(name.get<std::string>());
    }
    out.names = std::move(names);
    return out;
  }
  if (!doc.is_object()) {
    out.error = "GET /connectors answered neither an object nor a list";
    return out;
  }
  for (const auto& [name, entry] : doc.items()) {
    ConnectorStatus connector;
    connector.name = name;
    if (!entry.is_object() || !entry.contains("status")) {
      out.error = "connector " + name + " has no status in the expand=status answer";
      return out;
    }
    if (std::string error = parse_connector_status(entry["status"], connector); !error.empty()) {
      out.error = error;
      return out;
    }
    if (entry.contains("info")) apply_connector_info(entry["info"], connector);
    if (connector.type.empty()) connector.type = "unknown";
    out.connectors.push_back(std::move(connector));
  }
  return out;
}

}  // namespace cdcwatch
