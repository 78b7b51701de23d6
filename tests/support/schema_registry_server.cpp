#include "tests/support/schema_registry_server.h"

#include <openssl/evp.h>

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
  server_.on("GET", "/schemas/ids/[0-9]+", [this](const RecordedRequest& r) { return answer(r); });
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
  return server_.request_count("GET", "/schemas/ids/" + std::to_string(id));
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
