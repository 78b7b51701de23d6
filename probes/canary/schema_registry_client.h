// Writer schemas from a Confluent-compatible Schema Registry, for Avro change events (issue #20):
// GET /schemas/ids/{id} answers {"schema": "<the schema as a JSON string>"} with "schemaType"
// absent for Avro (or AVRO) and PROTOBUF or JSON for the other formats; errors answer
// {"error_code": 40403, "message": "Schema not found"} and the like
// (https://docs.confluent.io/platform/current/schema-registry/develop/api.html#schemas).
// Schema ids are immutable, so a schema found is cached for good (at most kMaxCached), and so is
// the answer that an id is not Avro. Each call is bounded by the caller's budget and the
// configured timeout. Not thread-safe: one per observer.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "agent/core/units.h"
#include "probes/kafkaconn/schema_registry_config.h"

namespace cdcwatch {

struct WriterSchema {
  std::string avro;           // the schema's JSON text; empty on error
  std::string error_reason;   // empty on success: http, auth, not_found, unsupported, response
  std::string error_message;  // names the registry, the id and what to do; never a secret
  std::string schema_type;    // with `unsupported`: the registry's schemaType (PROTOBUF, JSON)
  bool ok() const { return error_reason.empty(); }
};

// Where the Avro decoder gets writer schemas by id: the Schema Registry, or (the fuzz target) a
// fixed set.
class WriterSchemaSource {
 public:
  virtual ~WriterSchemaSource() = default;
  virtual WriterSchema avro_schema(uint64_t id, Millis budget) = 0;
};

class SchemaRegistryClient final : public WriterSchemaSource {
 public:
  static constexpr size_t kMaxCached = 1000;

  explicit SchemaRegistryClient(SchemaRegistryConfig config) : config_(std::move(config)) {}
  WriterSchema avro_schema(uint64_t id, Millis budget) override;
  uint64_t errors() const { return errors_; }  // failed look-ups, for a counter

 private:
  WriterSchema fetch(uint64_t id, Millis budget);

  SchemaRegistryConfig config_;
  std::map<uint64_t, WriterSchema> cache_;  // Avro schemas and ids of another schemaType
  uint64_t errors_ = 0;
};

}  // namespace cdcwatch
