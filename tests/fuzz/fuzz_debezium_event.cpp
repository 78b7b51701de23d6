// Fuzz target: any Kafka record value on the canary topic, with or without an Apicurio content-id
// header, decodes to an event, a skip or an error message, never a crash, a hang or an exception.
// The value goes through the canary's decoder (record_framing.h, then JSON or Avro) with the
// writer schemas answered from a fixed set in memory, so no registry server is needed: id 263 is
// the canary envelope with ZonedTimestamp (corpus/debezium_event/avro_*_263.bin), 264 the same
// with MicroTimestamp, 265 with StructuredZonedTimestamp, 7 a Protobuf schema, any other id is
// not found.
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "probes/canary/canary_event_decoder.h"
#include "probes/canary/debezium_temporal.h"

namespace {

using cdcwatch::Millis;
using cdcwatch::WriterSchema;

// The canary table's Debezium envelope as Confluent's AvroConverter registers it, with
// written_at's Avro type as given.
std::string envelope(const std::string& written_at) {
  return R"({"type":"record","name":"Envelope","namespace":"orders.public.cdcwatch_canary",
  "fields":[
  {"name":"before","type":["null",{"type":"record","name":"Value","fields":[
    {"name":"agent_id","type":"string"},{"name":"seq","type":"long"},
    {"name":"written_at","type":)" +
         written_at + R"(}]}],"default":null},
  {"name":"after","type":["null","Value"],"default":null},
  {"name":"source","type":{"type":"record","name":"Source","fields":[
    {"name":"version","type":"string"},{"name":"connector","type":"string"},
    {"name":"name","type":"string"},{"name":"ts_ms","type":"long"}]}},
  {"name":"op","type":"string"},{"name":"ts_ms","type":["null","long"],"default":null}]})";
}

std::string structured_zoned() {
  std::string fields;
  for (const char* name : {"year", "month", "day", "hour", "minute", "second", "nanos",
                           "offsetSeconds", "precision"}) {
    fields += std::string(fields.empty() ? "" : ",") + R"({"name":")" + name +
              R"(","type":["null","int"],"default":null})";
  }
  for (const char* name : {"zoneId", "specialValue"}) {
    fields += std::string(R"(,{"name":")") + name + R"(","type":["null","string"],"default":null})";
  }
  return R"({"type":"record","name":"StructuredZonedTimestamp","namespace":"io.debezium.time",
    "connect.name":"io.debezium.time.StructuredZonedTimestamp","fields":[)" +
         fields + "]}";
}

class FixedSchemas final : public cdcwatch::WriterSchemaSource {
 public:
  FixedSchemas()
      : avro_{
            {263,
             envelope(R"({"type":"string","connect.name":"io.debezium.time.ZonedTimestamp"})")},
            {264, envelope(R"({"type":"long","connect.name":"io.debezium.time.MicroTimestamp"})")},
            {265, envelope(structured_zoned())}} {}
  // Global ids answer as schema ids do.
  bool resolves_global_ids() const override { return true; }
  WriterSchema avro_schema(uint64_t id, cdcwatch::SchemaIdKind, Millis) override {
    if (auto it = avro_.find(id); it != avro_.end()) return {it->second, "", "", ""};
    if (id == 7) return {"", "unsupported", "schema id 7: a PROTOBUF schema", "PROTOBUF"};
    return {"", "not_found", "schema id " + std::to_string(id) + ": not found", ""};
  }

 private:
  std::map<uint64_t, std::string> avro_;
};

void check(const cdcwatch::ParsedCanaryEvent& parsed) {
  if (parsed.kind == cdcwatch::ParsedCanaryEvent::Kind::kError && parsed.message.empty())
    __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static cdcwatch::CanaryEventDecoder decoder(std::make_unique<FixedSchemas>());
  std::string_view value(reinterpret_cast<const char*>(data), size);
  check(decoder.decode(value, {}, Millis(1000)));
  (void)cdcwatch::parse_iso8601(value);
  // The same bytes as Apicurio's header framing: an 8-byte content id, then the datum.
  if (size >= 8) {
    cdcwatch::RecordHeaders headers = {
        {"apicurio.value.contentId", std::string(value.substr(0, 8))}};
    check(decoder.decode(value.substr(8), headers, Millis(1000)));
  }
  return 0;
}
