#include "probes/canary/schema_registry_client.h"

#include <nlohmann/json.hpp>

#include "agent/http/http_client.h"
#include "probes/warehouseconn/json_member.h"

namespace cdcwatch {
namespace {

WriterSchema failed(std::string reason, std::string message) {
  return {"", std::move(reason), std::move(message), ""};
}

std::string registry_error(const std::string& body) {
  auto json = nlohmann::json::parse(body, nullptr, false);
  if (!json.is_object()) return "";
  std::string code = json.contains("error_code") ? json["error_code"].dump() : "";
  std::string message = string_member(json, "message");
  return (code.empty() ? "" : " (error_code " + code + ")") +
         (message.empty() ? "" : ": " + message);
}

}  // namespace

WriterSchema SchemaRegistryClient::avro_schema(uint64_t id, Millis budget) {
  if (auto it = cache_.find(id); it != cache_.end()) return it->second;
  WriterSchema found = fetch(id, budget);
  if (!found.ok()) ++errors_;
  // An id's schema never changes; a failure to fetch it may, so only answers are kept.
  if (found.ok() || found.error_reason == "unsupported") {
    if (cache_.size() >= kMaxCached) cache_.erase(cache_.begin());
    cache_[id] = found;
  }
  return found;
}

WriterSchema SchemaRegistryClient::fetch(uint64_t id, Millis budget) {
  std::string where = "Schema Registry " + config_.url + ", schema id " + std::to_string(id);
  HttpRequest request;
  request.url = config_.url + "/schemas/ids/" + std::to_string(id);
  request.headers = {{"Accept", "application/vnd.schemaregistry.v1+json, application/json"}};
  request.timeout = std::min(budget, config_.timeout);
  request.ca_file = config_.ca_file;
  request.max_body_bytes = 1 << 20;
  if (config_.username && config_.password) {
    request.basic_auth = std::make_pair(config_.username->value, config_.password->value);
  }
  HttpResponse response = send_http(request);
  if (!response.transport_ok()) return failed("http", where + ": " + response.error);
  if (response.status == 404) {
    return failed("not_found", where + ": not found" + registry_error(response.body) +
                                   "; is schema_registry.url the registry the connector uses?");
  }
  if (response.status == 401 || response.status == 403) {
    return failed("auth", where + ": answered " + std::to_string(response.status) +
                              registry_error(response.body) +
                              "; check schema_registry.username and password");
  }
  if (!response.success()) {
    return failed("http", where + ": answered " + std::to_string(response.status) +
                              registry_error(response.body));
  }
  auto body = nlohmann::json::parse(response.body, nullptr, false);
  if (!body.is_object() || !body.contains("schema") || !body["schema"].is_string()) {
    return failed("response", where + ": the answer has no \"schema\" string");
  }
  std::string type = string_member(body, "schemaType", "AVRO");
  if (type != "AVRO") {
    WriterSchema other =
        failed("unsupported", where + ": a " + type +
                                  " schema; the canary reads Avro or JSON events: give the "
                                  "canary topic's connector the AvroConverter or JsonConverter");
    other.schema_type = type;
    return other;
  }
  return {body["schema"].get<std::string>(), "", "", ""};
}

}  // namespace cdcwatch
