// Decodes the canary topic's record values: JSON change events, and with a Schema Registry
// configured on the kafka: entry, Avro ones whose writer schema id a registry serializer framed
// (record_framing.h: Confluent's, or Apicurio's: content ids, and global ids when the url is
// Apicurio's), the schema fetched by id and cached. An event it cannot read for want of its writer
// schema or for its format is "unreadable": registry failures are counted by reason
// (cdcwatch_canary_schema_registry_errors_total{canary,reason}), formats cdcwatch does not read
// (Protobuf, JSON Schema, Apicurio's global ids with another registry, registry framing without
// schema_registry) by
// format (cdcwatch_canary_unsupported_events_total{canary,format}), and the last one is kept for
// /status. Not thread-safe: one per Kafka observer.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "agent/core/readings.h"
#include "probes/canary/debezium_event.h"
#include "probes/canary/record_framing.h"
#include "probes/canary/schema_registry_client.h"

namespace cdcwatch {

class CanaryEventDecoder {
 public:
  explicit CanaryEventDecoder(const std::optional<SchemaRegistryConfig>& registry);
  // `schemas`: where writer schemas come from; nullptr when no registry is configured.
  explicit CanaryEventDecoder(std::unique_ptr<WriterSchemaSource> schemas);
  ParsedCanaryEvent decode(std::string_view value, const RecordHeaders& headers, Millis budget);

  // Events not read for want of their writer schema or for their format, and the last one's error.
  uint64_t unreadable() const { return unreadable_; }
  const std::string& last_unreadable() const { return last_unreadable_; }
  void report(Readings& readings, const std::string& canary) const;

 private:
  ParsedCanaryEvent decode_avro(const RecordFraming& framing, Millis budget);
  ParsedCanaryEvent unreadable(std::map<std::string, uint64_t>& counts, const std::string& key,
                               std::string message);

  std::unique_ptr<WriterSchemaSource> schemas_;
  std::map<std::string, uint64_t> registry_errors_;  // by reason
  std::map<std::string, uint64_t> unsupported_;      // by format
  uint64_t unreadable_ = 0;
  std::string last_unreadable_;
};

}  // namespace cdcwatch
