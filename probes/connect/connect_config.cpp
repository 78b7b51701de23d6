#include "probes/connect/connect_config.h"

namespace cdcwatch {

ConnectConfig parse_connect(const ConfigNode& node) {
  node.expect_keys({"name", "url", "username", "password", "ca_file", "connectors", "kafka",
                    "offsets_topic", "stall_after", "interval", "request_timeout"});
  ConnectConfig config;
  config.name = node.required_string("name");
  config.url = node.required_string("url");
  if (config.url.rfind("http://", 0) != 0 && config.url.rfind("https://", 0) != 0) {
    node.child("url").fail("expected http://host:8083 or https://...");
  }
  while (!config.url.empty() && config.url.back() == '/') config.url.pop_back();
  if (node.has("username")) config.username = node.child("username").as_secret();
  if (node.has("password")) config.password = node.child("password").as_credential();
  if (config.username.has_value() != config.password.has_value()) {
    node.fail("set both username and password for basic auth, or neither");
  }
  config.ca_file = node.string_or("ca_file", "");
  config.connectors = node.string_list_or("connectors", {});
  if (node.has("kafka")) config.kafka = node.required_string("kafka");
  config.offsets_topic = node.string_or("offsets_topic", config.offsets_topic);
  config.stall_after = node.duration_or("stall_after", config.stall_after);
  if (config.stall_after <= Millis(60000)) {
    node.child("stall_after")
        .fail(
            "must exceed 1m: Debezium commits offsets only when Connect flushes "
            "them (offset.flush.interval.ms, 60s by default)");
  }
  config.interval = node.optional_duration_at_least("interval", kMinimumInterval);
  config.request_timeout =
      node.duration_at_least("request_timeout", config.request_timeout, kMinimumInterval);
  return config;
}

nlohmann::json describe(const ConnectConfig& config) {
  nlohmann::json out = {{"name", config.name},
                        {"url", config.url},
                        {"connectors", config.connectors},
                        {"offsets_topic", config.offsets_topic},
                        {"stall_after", format_duration(config.stall_after)},
                        {"request_timeout", format_duration(config.request_timeout)}};
  if (config.username) out["username"] = config.username->display;
  if (config.password) out["password"] = config.password->display;
  if (!config.ca_file.empty()) out["ca_file"] = config.ca_file;
  if (config.kafka) out["kafka"] = *config.kafka;
  if (config.interval) out["interval"] = format_duration(*config.interval);
  return out;
}

}  // namespace cdcwatch
