// The `agent:` section of the config.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "agent/core/config_node.h"
#include "agent/core/units.h"
#include "agent/http/http_server.h"

namespace cdcwatch {

struct AgentSettings {
  std::string listen = "0.0.0.0:9720";
  Millis interval{15000};
  std::string state_dir = "/var/lib/cdcwatch";
  std::string log_format = "text";
  std::string log_level = "info";
  std::string runbook_base_url;  // turns runbooks/x.md into a link in pages
  // Endpoint security: optional TLS, basic or bearer auth, a bound on concurrent requests.
  std::string tls_cert_file;
  std::string tls_key_file;
  std::optional<std::pair<std::string, SecretString>> basic_auth;
  std::optional<SecretString> bearer_token;
  size_t max_connections = 16;
};

HttpServerOptions http_server_options(const AgentSettings& settings);

AgentSettings parse_agent_settings(const ConfigNode& node);
nlohmann::json describe(const AgentSettings& settings);

}  // namespace cdcwatch
