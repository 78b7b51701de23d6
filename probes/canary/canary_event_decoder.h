// Decodes the canary topic's record values: JSON change events, and with a Schema Registry
// configured on the kafka: entry, Confluent-framed Avro ones (writer schema fetched by id and
// cached). Registry failures are counted by reason
// (cdcwatch_canary_schema_registry_errors_total{canary,reason}) and the last one is kept for
// /status. Not thread-safe: one per Kafka observer.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "agent/core/readings.h"
#include "probes/canary/debezium_event.h"
#include "probes/canary/schema_registry_client.h"

namespace cdcwatch {

class CanaryEventDecoder {
 public:
  explicit CanaryEventDecoder(const std::optional<SchemaRegistryConfig>& registry);
  ParsedCanaryEvent decode(std::string_view value, Millis budget);

  uint64_t registry_errors() const { return registry_ ? registry_->errors() : 0; }
  const std::string& last_registry_error() const { return last_registry_error_; }
  void report(Readings& readings, const std::string& canary) const;

 private:
  std::optional<SchemaRegistryClient> registry_;
  std::map<std::string, uint64_t> errors_by_reason_;
  std::string last_registry_error_;
};

}  // namespace cdcwatch
