#include "agent/app/agent_settings.h"

#include "agent/app/tls_files.h"
#include "agent/core/file_permissions.h"

namespace cdcwatch {

namespace {

void parse_endpoint_security(const ConfigNode& node, AgentSettings& settings) {
  if (auto tls = node.optional_child("tls")) {
    tls->expect_keys({"cert_file", "key_file"});
    settings.tls_cert_file = tls->required_string("cert_file");
    settings.tls_key_file = tls->required_string("key_file");
    if (auto problem = private_key_file_problem(settings.tls_key_file)) {
      tls->child("key_file").fail(*problem);
    }
    if (auto problem = tls_pair_problem(settings.tls_cert_file, settings.tls_key_file)) {
      tls->fail(*problem);
    }
  }
  if (auto auth = node.optional_child("auth")) {
    auth->expect_keys({"username", "password", "bearer_token"});
    if (auth->has("bearer_token") == auth->has("username")) {
      auth->fail("set either username and password (basic auth) or bearer_token");
    }
    // An empty credential (say, from an unset variable in a unit file) would turn auth off.
    if (auth->has("bearer_token")) {
      settings.bearer_token = auth->child("bearer_token").as_credential();
    } else {
      settings.basic_auth = {auth->required_string("username"),
                             auth->child("password").as_credential()};
    }
  }
  int64_t connections = node.integer_or("max_connections", 16);
  if (connections < 1 || connections > 1024) {
    node.child("max_connections").fail("expected a number from 1 to 1024");
  }
  settings.max_connections = static_cast<size_t>(connections);
}

}  // namespace

AgentSettings parse_agent_settings(const ConfigNode& node) {
  node.expect_keys({"listen", "interval", "state_dir", "log_format", "log_level",
                    "runbook_base_url", "tls", "auth", "max_connections"});
  AgentSettings settings;
  settings.listen = node.string_or("listen", settings.listen);
  if (split_listen_address(settings.listen).second < 0) {
    node.child("listen").fail("expected host:port such as 0.0.0.0:9720, got '" + settings.listen +
                              "'");
  }
  settings.interval = node.duration_at_least("interval", settings.interval, kMinimumInterval);
  settings.state_dir = node.string_or("state_dir", settings.state_dir);
  settings.log_format = node.string_or("log_format", settings.log_format);
  if (settings.log_format != "text" && settings.log_format != "json") {
    node.child("log_format").fail("expected text or json, got '" + settings.log_format + "'");
  }
  settings.log_level = node.string_or("log_level", settings.log_level);
  static const std::vector<std::string> kLevels = {"trace", "debug", "info", "warn", "error"};
  if (std::find(kLevels.begin(), kLevels.end(), settings.log_level) == kLevels.end()) {
    node.child("log_level")
        .fail("expected trace, debug, info, warn or error, got '" + settings.log_level + "'");
  }
  settings.runbook_base_url = node.string_or("runbook_base_url", "");
  parse_endpoint_security(node, settings);
  return settings;
}

HttpServerOptions http_server_options(const AgentSettings& settings) {
  HttpServerOptions options;
  options.listen = settings.listen;
  options.tls_cert_file = settings.tls_cert_file;
  options.tls_key_file = settings.tls_key_file;
  if (settings.basic_auth) {
    options.basic_auth = {settings.basic_auth->first, settings.basic_auth->second.value};
  }
  if (settings.bearer_token) options.bearer_token = settings.bearer_token->value;
  options.max_connections = settings.max_connections;
  return options;
}

nlohmann::json describe(const AgentSettings& settings) {
  return {
      {"listen", settings.listen},
      {"interval", format_duration(settings.interval)},
      {"state_dir", settings.state_dir},
      {"log_format", settings.log_format},
      {"log_level", settings.log_level},
      {"runbook_base_url", settings.runbook_base_url},
      {"tls", settings.tls_cert_file.empty() ? nlohmann::json(nullptr)
                                             : nlohmann::json{{"cert_file", settings.tls_cert_file},
                                                              {"key_file", settings.tls_key_file}}},
      {"auth", settings.bearer_token ? nlohmann::json{{"bearer_token", std::string(kRedacted)}}
               : settings.basic_auth ? nlohmann::json{{"username", settings.basic_auth->first},
                                                      {"password", std::string(kRedacted)}}
                                     : nlohmann::json(nullptr)},
      {"max_connections", settings.max_connections}};
}

}  // namespace cdcwatch
