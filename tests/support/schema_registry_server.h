// A local Confluent Schema Registry for tests: GET /schemas/ids/{id} answered as the documented
// REST API does (https://docs.confluent.io/platform/current/schema-registry/develop/api.html):
// 200 {"schema": "<json>"} with "schemaType" for non-Avro schemas, 404 {"error_code": 40403,
// "message": "Schema not found"}, 401 {"error_code": 401, ...} without the configured basic auth.
// It can answer slowly, or be stopped (connections refused). Thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "tests/support/http_test_server.h"

namespace cdcwatch::testing {

class SchemaRegistryServer {
 public:
  SchemaRegistryServer();
  ~SchemaRegistryServer() { server_.stop(); }
  void start() { server_.start(); }
  void stop() { server_.stop(); }
  std::string url() const { return server_.url(); }

  // `type`: empty for Avro (the registry omits schemaType then), or PROTOBUF / JSON.
  void add(uint32_t id, std::string schema, std::string type = "");
  void require_basic_auth(std::string user, std::string password);
  void answer_after(std::chrono::milliseconds delay);
  size_t lookups(uint32_t id) const;

 private:
  TestReply answer(const RecordedRequest& request);

  HttpTestServer server_;
  mutable std::mutex mutex_;
  std::map<uint32_t, std::pair<std::string, std::string>> schemas_;
  std::optional<std::string> authorization_;
  std::chrono::milliseconds delay_{0};
};

}  // namespace cdcwatch::testing
