// Fuzz target: any Kafka record value on the canary topic parses to an event, a skip or an error
// message, never a crash, a hang or an exception; Confluent-framed values also go through the Avro
// decoder with the canary envelope's writer schema.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "probes/canary/avro_event.h"
#include "probes/canary/debezium_event.h"
#include "probes/canary/debezium_temporal.h"

namespace {

// The canary table's Debezium envelope as Confluent's AvroConverter registers it (the writer
// schema of corpus/debezium_event/avro_envelope_zoned.bin).
const std::string kEnvelopeSchema = R"({"type":"record","name":"Envelope",
  "namespace":"orders.public.cdcwatch_canary","fields":[
  {"name":"before","type":["null",{"type":"record","name":"Value","fields":[
    {"name":"agent_id","type":"string"},{"name":"seq","type":"long"},
    {"name":"written_at","type":{"type":"string","connect.name":"io.debezium.time.ZonedTimestamp"}}]}],
   "default":null},
  {"name":"after","type":["null","Value"],"default":null},
  {"name":"source","type":{"type":"record","name":"Source","fields":[
    {"name":"version","type":"string"},{"name":"connector","type":"string"},
    {"name":"name","type":"string"},{"name":"ts_ms","type":"long"}]}},
  {"name":"op","type":"string"},{"name":"ts_ms","type":["null","long"],"default":null}]})";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view value(reinterpret_cast<const char*>(data), size);
  auto parsed = cdcwatch::parse_canary_event(value);
  if (parsed.kind == cdcwatch::ParsedCanaryEvent::Kind::kError && parsed.message.empty())
    __builtin_trap();
  (void)cdcwatch::parse_iso8601(value);
  if (cdcwatch::confluent_schema_id(value)) {
    auto avro = cdcwatch::parse_avro_canary_event(value, kEnvelopeSchema);
    if (avro.kind == cdcwatch::ParsedCanaryEvent::Kind::kError && avro.message.empty())
      __builtin_trap();
  }
  return 0;
}
