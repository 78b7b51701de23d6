// A `connect:` entry: one Kafka Connect cluster, reached through any worker's REST API.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "agent/core/config_node.h"
#include "agent/core/secrets.h"
#include "agent/core/units.h"

namespace cdcwatch {

struct ConnectConfig {
  std::string name;  // the `connect` label
  std::string url;   // http(s)://worker:8083
  std::optional<SecretString> username;
  std::optional<SecretString> password;
  std::string ca_file;
  std::vector<std::string> connectors;  // empty: every connector; listed ones missing are MISSING
  std::optional<std::string> kafka;     // the kafka: entry with its groups and offsets topic
  std::string offsets_topic = "connect-offsets";
  Millis stall_after{300000};
  std::optional<Millis> interval;
  Millis request_timeout{5000};
};

ConnectConfig parse_connect(const ConfigNode& node);
nlohmann::json describe(const ConnectConfig& config);

}  // namespace cdcwatch
