#include "agent/pipeline/connector_catalog.h"

#include "probes/connect/connect_metrics.h"

namespace cdcwatch {

std::string ConnectorInfo::config_or(const std::string& key, std::string fallback) const {
  auto it = config.find(key);
  return it == config.end() ? fallback : it->second;
}

std::vector<ConnectorInfo> read_connectors(const ReadingsView& latest, const std::string& cluster) {
  std::vector<ConnectorInfo> out;
  for (const auto& series : latest.find(connect_metrics::kInfo.name, {{"connect", cluster}})) {
    ConnectorInfo info{cluster,
                       label_value(series.labels, "connector").value_or(""),
                       label_value(series.labels, "type").value_or("unknown"),
                       {}};
    for (const auto& key : connect_metrics::kInfoKeys) {
      auto value = label_value(series.labels, key.label);
      if (value && !value->empty()) info.config[key.config_key] = *value;
    }
    out.push_back(std::move(info));
  }
  return out;
}

void ConnectorCatalog::update(const ReadingsView& latest,
                              const std::vector<std::string>& clusters) {
  for (const auto& cluster : clusters) {
    if (latest.first_value(connect_metrics::kUp.name, {{"connect", cluster}}) != 1.0) continue;
    by_cluster_[cluster] = read_connectors(latest, cluster);
  }
}

std::vector<ConnectorInfo> ConnectorCatalog::connectors() const {
  std::vector<ConnectorInfo> all;
  for (const auto& [cluster, connectors] : by_cluster_) {
    all.insert(all.end(), connectors.begin(), connectors.end());
  }
  return all;
}

}  // namespace cdcwatch
