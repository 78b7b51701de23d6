// A local Confluent Schema Registry for tests: GET /schemas/ids/{id} answered as the documented
// REST API does (https://docs.confluent.io/platform/current/schema-registry/develop/api.html):
// 200 {"schema": "<json>"} with "schemaType" for non-Avro schemas, 404 {"error_code": 40403,
// "message": "Schema not found"}, 401 {"error_code": 401, ...} without the configured basic auth.
// POST /subjects/{subject}/versions {"schema": "<json>"} registers a schema as a serializer does
// (Confluent's AvroConverter with auto.register.schemas): 200 {"id": N}, the id the same schema
// already has if any (ids are global), else the next one; 422 {"error_code": 42201} for a schema
// that is not JSON. As Apicurio it also answers the same API under /apis/ccompat/v7
// (apicurio_url()) and global ids with Apicurio's own GET /apis/registry/v2/ids/globalIds/{id}: 200
// with the artifact's content itself, Content-Type application/json (Avro, JSON Schema) or
// application/x-protobuf, 404 {"error_code": 404, "message": ...} (Apicurio/apicurio-registry,
// rest/v2 IdsResource and IdsResourceImpl.getContentByGlobalId). It can answer slowly, or be
// stopped (connections refused). Thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/http_test_server.h"

namespace cdcwatch::testing {

class SchemaRegistryServer {
 public:
  SchemaRegistryServer();
  ~SchemaRegistryServer() { server_.stop(); }
  void start() { server_.start(); }
  void stop() { server_.stop(); }
  std::string url() const { return server_.url(); }
  std::string apicurio_url() const { return server_.url() + "/apis/ccompat/v7"; }

  // `type`: empty for Avro (the registry omits schemaType then), or PROTOBUF / JSON.
  void add(uint32_t id, std::string schema, std::string type = "");
  // An artifact version under an Apicurio global id, served with `content_type`.
  void add_global(uint64_t global_id, std::string content,
                  std::string content_type = "application/json");
  // The ids registered under `subject`, oldest first.
  std::vector<uint32_t> registered(const std::string& subject) const;
  void require_basic_auth(std::string user, std::string password);
  void answer_after(std::chrono::milliseconds delay);
  size_t lookups(uint32_t id) const;  // at / and at /apis/ccompat/v7
  size_t global_lookups(uint64_t global_id) const;

 private:
  TestReply answer(const RecordedRequest& request);
  TestReply register_schema(const RecordedRequest& request);
  TestReply answer_global(const RecordedRequest& request);

  HttpTestServer server_;
  mutable std::mutex mutex_;
  std::map<uint32_t, std::pair<std::string, std::string>> schemas_;
  std::map<std::string, std::vector<uint32_t>> subjects_;
  std::map<uint64_t, std::pair<std::string, std::string>> globals_;  // content, content type
  std::optional<std::string> authorization_;
  std::chrono::milliseconds delay_{0};
};

}  // namespace cdcwatch::testing
