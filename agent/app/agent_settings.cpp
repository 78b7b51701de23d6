#include "agent/app/agent_settings.h"

#include "agent/http/http_server.h"

namespace cdcwatch {

AgentSettings parse_agent_settings(const ConfigNode& node) {
  node.expect_keys({"listen", "interval", "state_dir", "log_format", "log_level",
                    "runbook_base_url"});
  AgentSettings settings;
  settings.listen = node.string_or("listen", settings.listen);
  if (split_listen_address(settings.listen).second < 0) {
    node.child("listen").fail("expected host:port such as 0.0.0.0:9720, got '" +
                              settings.listen + "'");
  }
  settings.interval = node.duration_or("interval", settings.interval);
  if (settings.interval < Millis(100)) node.child("interval").fail("must be at least 100ms");
  settings.state_dir = node.string_or("state_dir", settings.state_dir);
  settings.log_format = node.string_or("log_format", settings.log_format);
  if (settings.log_format != "text" && settings.log_format != "json") {
    node.child("log_format").fail("expected text or json, got '" + settings.log_format + "'");
  }
  settings.log_level = node.string_or("log_level", settings.log_level);
  static const std::vector<std::string> kLevels = {"trace", "debug", "info", "warn", "error"};
  if (std::find(kLevels.begin(), kLevels.end(), settings.log_level) == kLevels.end()) {
    node.child("log_level").fail("expected trace, debug, info, warn or error, got '" +
                                 settings.log_level + "'");
  }
  settings.runbook_base_url = node.string_or("runbook_base_url", "");
  return settings;
}

nlohmann::json describe(const AgentSettings& settings) {
  return {{"listen", settings.listen},
          {"interval", format_duration(settings.interval)},
          {"state_dir", settings.state_dir},
          {"log_format", settings.log_format},
          {"log_level", settings.log_level},
          {"runbook_base_url", settings.runbook_base_url}};
}

}  // namespace cdcwatch
