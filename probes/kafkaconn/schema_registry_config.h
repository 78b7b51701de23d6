// A `kafka:` entry's `schema_registry:` block (issue #20): where the Avro writer schemas of the
// cluster's Debezium topics are registered.
//   schema_registry:
//     url: https://registry:8081
//     username: ${env:SR_USER}      # optional basic auth, with password
//     password: ${env:SR_PASSWORD}
//     ca_file: /etc/ssl/registry.pem
//     timeout: 5s
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "agent/core/config_node.h"
#include "agent/core/secrets.h"
#include "agent/core/units.h"

namespace cdcwatch {

struct SchemaRegistryConfig {
  std::string url;  // without a trailing slash
  std::optional<SecretString> username;
  std::optional<SecretString> password;
  std::string ca_file;
  Millis timeout{5000};
};

SchemaRegistryConfig parse_schema_registry(const ConfigNode& node);
nlohmann::json describe(const SchemaRegistryConfig& config);

}  // namespace cdcwatch
