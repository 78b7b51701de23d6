// The whole config file: every section parsed, cross-references checked, secrets resolved.
// Each section's keys are parsed by the library that owns them; this file joins them.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "agent/alerting/alerts_config.h"
#include "agent/app/agent_settings.h"
#include "agent/pipeline/pipeline_config.h"
#include "agent/silences/maintenance.h"
#include "probes/canary/canary_config.h"
#include "probes/connect/connect_config.h"
#include "probes/consistency/consistency_config.h"
#include "probes/kafkaconn/kafka_cluster_config.h"
#include "probes/pgconn/pg_source_config.h"
#include "probes/sink_truth/sink_config.h"

namespace cdcwatch {

struct Config {
  std::string path;
  AgentSettings agent;
  std::vector<PgSourceConfig> postgres;
  std::vector<KafkaClusterConfig> kafka;
  std::vector<CanaryConfig> canaries;
  std::vector<ConnectConfig> connect;
  std::vector<WarehouseConfig> warehouses;
  std::vector<ConsistencyConfig> consistency;
  std::vector<PipelineDef> pipelines;  // empty: derived from Kafka Connect
  std::vector<SinkConfig> sinks;
  std::vector<MaintenanceWindow> maintenance;
  AlertsConfig alerts;
  NotifiersConfig notifiers;
  std::vector<AlertRule> rules;  // the rule set in force: defaults or rules_file, plus alerts.rules

  const PgSourceConfig* find_postgres(const std::string& name) const;
  const KafkaClusterConfig* find_kafka(const std::string& name) const;
  const WarehouseConfig* find_warehouse(const std::string& name) const;
};

// Throws ConfigError with file:line:column, the key, and what to do.
Config load_config(const std::string& path);
Config parse_config(const ConfigNode& root);

// The config as the agent will run it: defaults filled in, every secret shown as <redacted>.
nlohmann::json effective_config(const Config& config);
std::string to_yaml(const nlohmann::json& value);

}  // namespace cdcwatch
