#include "tests/support/schema_registry_server.h"

#include <openssl/evp.h>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace cdcwatch::testing {
namespace {

TestReply json_reply(int status, const nlohmann::json& body, std::chrono::milliseconds delay) {
  return {status, body.dump(), "application/vnd.schemaregistry.v1+json", {}, delay};
}

std::string base64(const std::string& text) {
  std::string out(4 * ((text.size() + 2) / 3), '\0');
  int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  out.resize(static_cast<size_t>(written));
  return out;
}

}  // namespace

SchemaRegistryServer::SchemaRegistryServer() {
  server_.on("GET", "(/apis/ccompat/v7)?/schemas/ids/[0-9]+",
             [this](const RecordedRequest& r) { return answer(r); });
  server_.on("GET", "/apis/registry/v2/ids/globalIds/[0-9]+",
             [this](const RecordedRequest& r) { return answer_global(r); });
  server_.on("POST", "/subjects/[^/]+/versions",
             [this](const RecordedRequest& r) { return register_schema(r); });
}

std::vector<uint32_t> SchemaRegistryServer::registered(const std::string& subject) const {
  std::lock_guard lock(mutex_);
  auto it = subjects_.find(subject);
  return it == subjects_.end() ? std::vector<uint32_t>{} : it->second;
}

TestReply SchemaRegistryServer::register_schema(const RecordedRequest& request) {
  std::lock_guard lock(mutex_);
  auto body = nlohmann::json::parse(request.body, nullptr, false);
  if (!body.is_object() || !body.contains("schema") || !body["schema"].is_string() ||
      nlohmann::json::parse(body["schema"].get<std::string>(), nullptr, false).is_discarded()) {
    return json_reply(422, {{"error_code", 42201}, {"message", "Invalid schema"}}, delay_);
  }
  std::string subject = request.path.substr(10, request.path.rfind("/versions") - 10);
  std::string schema = body["schema"].get<std::string>();
  uint32_t id = schemas_.empty() ? 1 : schemas_.rbegin()->first + 1;
  for (const auto& [known, entry] : schemas_) {
    if (entry.first == schema && entry.second.empty()) id = known;
  }
  schemas_[id] = {schema, ""};
  auto& versions = subjects_[subject];
  if (std::find(versions.begin(), versions.end(), id) == versions.end()) versions.push_back(id);
  return json_reply(200, {{"id", id}}, delay_);
}

void SchemaRegistryServer::add(uint32_t id, std::string schema, std::string type) {
  std::lock_guard lock(mutex_);
  schemas_[id] = {std::move(schema), std::move(type)};
}

void SchemaRegistryServer::require_basic_auth(std::string user, std::string password) {
  std::lock_guard lock(mutex_);
  authorization_ = "Basic " + base64(user + ":" + password);
}

void SchemaRegistryServer::answer_after(std::chrono::milliseconds delay) {
  std::lock_guard lock(mutex_);
  delay_ = delay;
}

size_t SchemaRegistryServer::lookups(uint32_t id) const {
  std::string path = "/schemas/ids/" + std::to_string(id);
  return server_.request_count("GET", path) +
         server_.request_count("GET", "/apis/ccompat/v7" + path);
}

size_t SchemaRegistryServer::global_lookups(uint64_t global_id) const {
  return server_.request_count("GET",
                               "/apis/registry/v2/ids/globalIds/" + std::to_string(global_id));
}

void SchemaRegistryServer::add_global(uint64_t global_id, std::string content,
                                      std::string content_type) {
  std::lock_guard lock(mutex_);
  globals_[global_id] = {std::move(content), std::move(content_type)};
}

TestReply SchemaRegistryServer::answer_global(const RecordedRequest& request) {
  std::lock_guard lock(mutex_);
  if (authorization_ && request.header("authorization") != *authorization_) {
    return json_reply(401, {{"error_code", 401}, {"message", "Unauthorized"}}, delay_);
  }
  std::string id = request.path.substr(request.path.rfind('/') + 1);
  auto it = globals_.find(std::stoull(id));
  if (it == globals_.end()) {
    return json_reply(
        404, {{"error_code", 404}, {"message", "No artifact with ID '" + id + "' was found."}},
        delay_);
  }
  return {200, it->second.first, it->second.second, {}, delay_};
}

TestReply SchemaRegistryServer::answer(const RecordedRequest& request) {
  std::lock_guard lock(mutex_);
  if (authorization_ && request.header("authorization") != *authorization_) {
    return json_reply(401, {{"error_code", 401}, {"message", "Unauthorized"}}, delay_);
  }
  uint32_t id = static_cast<uint32_t>(std::stoul(request.path.substr(request.path.rfind('/') + 1)));
  auto it = schemas_.find(id);
  if (it == schemas_.end()) {
    return json_reply(404, {{"error_code", 40403}, {"message", "Schema not found"}}, delay_);
  }
  nlohmann::json body = {{"schema", it->second.first}};
  if (!it->second.second.empty()) body["schemaType"] = it->second.second;
  return json_reply(200, body, delay_);
}

}  // namespace cdcwatch::testing
