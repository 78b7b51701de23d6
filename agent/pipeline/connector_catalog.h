// The connectors every `connect:` cluster has, as the Connect probe reports them in
// cdcwatch_connector_info (its class and the config keys that place it in a pipeline). A cluster
// that is not answering (cdcwatch_connect_up not 1) keeps the connectors last seen, so losing
// sight of Connect neither dissolves its pipelines nor drops its sink groups from the lag probe.
// Not thread-safe: one owner calls update() each cycle.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "agent/core/readings_view.h"

namespace cdcwatch {

struct ConnectorInfo {
  std::string connect;  // the connect: entry
  std::string name;
  std::string type;                           // source, sink or unknown
  std::map<std::string, std::string> config;  // connector config key -> value (non-empty only)

  std::string config_or(const std::string& key, std::string fallback) const;
};

class ConnectorCatalog {
 public:
  void update(const ReadingsView& latest, const std::vector<std::string>& clusters);
  std::vector<ConnectorInfo> connectors() const;

 private:
  std::map<std::string, std::vector<ConnectorInfo>> by_cluster_;
};

// The connectors `latest` reports for one cluster, whatever its state.
std::vector<ConnectorInfo> read_connectors(const ReadingsView& latest, const std::string& cluster);

}  // namespace cdcwatch
