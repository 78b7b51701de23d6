// Writer schemas from a Confluent-compatible Schema Registry, for Avro change events (issue #20):
// GET /schemas/ids/{id} answers {"schema": "<the schema as a JSON string>"} with "schemaType"
// absent for Avro (or AVRO) and PROTOBUF or JSON for the other formats; errors answer
// {"error_code": 40403, "message": "Schema not found"} and the like
// (https://docs.confluent.io/platform/current/schema-registry/develop/api.html#schemas).
// When the url is Apicurio's Confluent-compatible API (<base>/apis/ccompat/v6 or v7), Apicurio's
// global ids are resolved through its own API, GET <base>/apis/registry/v2/ids/globalIds/{id}
// (served by Apicurio 2.x and 3.x), which answers the artifact's content itself, typed by its
// Content-Type: application/json for Avro and JSON Schema, application/x-protobuf for Protobuf
// (Apicurio/apicurio-registry, rest/v2 IdsResource and IdsResourceImpl.getContentByGlobalId).
// Ids are immutable, so a schema found is cached for good (at most kMaxCached), and so is the
// answer that an id is not Avro. Each call is bounded by the caller's budget and the configured
// timeout. Not thread-safe: one per observer.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "agent/core/units.h"
#include "probes/kafkaconn/schema_registry_config.h"

namespace cdcwatch {

struct WriterSchema {
  std::string avro;           // the schema's JSON text; empty on error
  std::string error_reason;   // empty on success: http, auth, not_found, unsupported, response
  std::string error_message;  // names the registry, the id and what to do; never a secret
  std::string schema_type;    // with `unsupported`: PROTOBUF or JSON (Schema)
  bool ok() const { return error_reason.empty(); }
};

// Which numbering an id is in: the Confluent-compatible API's (Confluent's schema ids, Apicurio's
// content ids), or Apicurio's global ids.
enum class SchemaIdKind { kSchemaId, kApicurioGlobalId };

// Where the Avro decoder gets writer schemas by id: the Schema Registry, or (the fuzz target) a
// fixed set.
class WriterSchemaSource {
 public:
  virtual ~WriterSchemaSource() = default;
  virtual WriterSchema avro_schema(uint64_t id, SchemaIdKind kind, Millis budget) = 0;
  virtual bool resolves_global_ids() const = 0;
};

class SchemaRegistryClient final : public WriterSchemaSource {
 public:
  static constexpr size_t kMaxCached = 1000;

  explicit SchemaRegistryClient(SchemaRegistryConfig config);
  WriterSchema avro_schema(uint64_t id, SchemaIdKind kind, Millis budget) override;
  bool resolves_global_ids() const override { return apicurio_base_.has_value(); }
  uint64_t errors() const { return errors_; }  // failed look-ups, for a counter

 private:
  WriterSchema by_schema_id(uint64_t id, Millis budget);
  WriterSchema by_global_id(uint64_t id, Millis budget);

  SchemaRegistryConfig config_;
  std::optional<std::string> apicurio_base_;  // the url without /apis/ccompat/vN
  std::map<std::pair<SchemaIdKind, uint64_t>, WriterSchema> cache_;  // Avro, or another type
  uint64_t errors_ = 0;
};

}  // namespace cdcwatch
