#include "probes/canary/schema_registry_client.h"

#include <nlohmann/json.hpp>
#include <regex>

#include "agent/http/http_client.h"
#include "probes/warehouseconn/json_member.h"

namespace cdcwatch {
namespace {

WriterSchema failed(std::string reason, std::string message) {
  return {"", std::move(reason), std::move(message), ""};
}

WriterSchema not_avro(const std::string& where, const std::string& type) {
  return {"", "unsupported",
          where + ": a " + type +
              " schema; the canary reads Avro or JSON events: give the canary topic's connector "
              "the AvroConverter or JsonConverter",
          type};
}

std::string registry_error(const std::string& body) {
  auto json = nlohmann::json::parse(body, nullptr, false);
  if (!json.is_object()) return "";
  std::string code = json.contains("error_code") ? json["error_code"].dump() : "";
  std::string message = string_member(json, "message");
  return (code.empty() ? "" : " (error_code " + code + ")") +
         (message.empty() ? "" : ": " + message);
}

HttpResponse get(const SchemaRegistryConfig& config, const std::string& url, Millis budget) {
  HttpRequest request;
  request.url = url;
  request.headers = {{"Accept", "application/vnd.schemaregistry.v1+json, application/json, */*"}};
  request.timeout = std::min(budget, config.timeout);
  request.ca_file = config.ca_file;
  request.max_body_bytes = 1 << 20;
  if (config.username && config.password) {
    request.basic_auth = std::make_pair(config.username->value, config.password->value);
  }
  return send_http(request);
}

// The failure an answer is, if it is one.
std::optional<WriterSchema> failure(const HttpResponse& response, const std::string& where,
                                    const std::string& not_found_fix) {
  if (!response.transport_ok()) return failed("http", where + ": " + response.error);
  if (response.status == 404) {
    return failed("not_found",
                  where + ": not found" + registry_error(response.body) + "; " + not_found_fix);
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
  return std::nullopt;
}

}  // namespace

SchemaRegistryClient::SchemaRegistryClient(SchemaRegistryConfig config)
    : config_(std::move(config)) {
  static const std::regex ccompat(R"((.*)/apis/ccompat/v[0-9]+)");
  std::smatch match;
  if (std::regex_match(config_.url, match, ccompat)) apicurio_base_ = match[1].str();
}

WriterSchema SchemaRegistryClient::avro_schema(uint64_t id, SchemaIdKind kind, Millis budget) {
  auto key = std::make_pair(kind, id);
  if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  WriterSchema found = kind == SchemaIdKind::kApicurioGlobalId && apicurio_base_
                           ? by_global_id(id, budget)
                           : by_schema_id(id, budget);
  if (!found.ok()) ++errors_;
  // An id's schema never changes; a failure to fetch it may, so only answers are kept.
  if (found.ok() || found.error_reason == "unsupported") {
    if (cache_.size() >= kMaxCached) cache_.erase(cache_.begin());
    cache_[key] = found;
  }
  return found;
}

WriterSchema SchemaRegistryClient::by_schema_id(uint64_t id, Millis budget) {
  std::string where = "Schema Registry " + config_.url + ", schema id " + std::to_string(id);
  HttpResponse response = get(config_, config_.url + "/schemas/ids/" + std::to_string(id), budget);
  if (auto bad =
          failure(response, where, "is schema_registry.url the registry the connector uses?")) {
    return *bad;
  }
  auto body = nlohmann::json::parse(response.body, nullptr, false);
  if (!body.is_object() || !body.contains("schema") || !body["schema"].is_string()) {
    return failed("response", where + ": the answer has no \"schema\" string");
  }
  std::string type = string_member(body, "schemaType", "AVRO");
  if (type == "PROTOBUF" || type == "JSON") return not_avro(where, type);
  if (type != "AVRO") return failed("response", where + ": an unknown schemaType " + type);
  return {body["schema"].get<std::string>(), "", "", ""};
}

WriterSchema SchemaRegistryClient::by_global_id(uint64_t id, Millis budget) {
  std::string url = *apicurio_base_ + "/apis/registry/v2/ids/globalIds/" + std::to_string(id);
  std::string where = "Apicurio Registry " + *apicurio_base_ + ", global id " + std::to_string(id);
  HttpResponse response = get(config_, url, budget);
  if (auto bad = failure(response, where,
                         "is schema_registry.url the Apicurio the connector's "
                         "converter uses (apicurio.registry.url)?")) {
    return *bad;
  }
  if (response.header("content-type").value_or("").find("protobuf") != std::string::npos) {
    return not_avro(where, "PROTOBUF");
  }
  auto schema = nlohmann::json::parse(response.body, nullptr, false);
  if (schema.is_discarded()) return failed("response", where + ": the artifact is not JSON");
  // Avro and JSON Schema artifacts both come as application/json: a JSON Schema declares
  // "$schema" or describes an "object"; an Avro record is a "record".
  if (schema.is_object() &&
      (schema.contains("$schema") || string_member(schema, "type") == "object")) {
    return not_avro(where, "JSON");
  }
  return {response.body, "", "", ""};
}

}  // namespace cdcwatch
