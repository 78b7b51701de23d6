#include "probes/kafkaconn/schema_registry_config.h"

namespace cdcwatch {

SchemaRegistryConfig parse_schema_registry(const ConfigNode& node) {
  node.expect_keys({"url", "username", "password", "ca_file", "timeout"});
  SchemaRegistryConfig config;
  config.url = node.required_string("url");
  if (config.url.rfind("http://", 0) != 0 && config.url.rfind("https://", 0) != 0) {
    node.child("url").fail("expected http://host:port or https://host:port");
  }
  while (!config.url.empty() && config.url.back() == '/') config.url.pop_back();
  if (node.has("username") != node.has("password")) {
    node.fail("set both username and password for basic auth, or neither");
  }
  if (node.has("username")) config.username = node.child("username").as_secret();
  if (node.has("password")) config.password = node.child("password").as_secret();
  config.ca_file = node.string_or("ca_file", "");
  config.timeout = node.duration_or("timeout", config.timeout);
  if (config.timeout.count() <= 0) node.child("timeout").fail("must be above 0");
  return config;
}

nlohmann::json describe(const SchemaRegistryConfig& config) {
  nlohmann::json out = {{"url", config.url},
                        {"timeout", format_duration(config.timeout)},
                        {"ca_file", config.ca_file}};
  if (config.username) out["username"] = config.username->display;
  if (config.password) out["password"] = config.password->display;
  return out;
}

}  // namespace cdcwatch
