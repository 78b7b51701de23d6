// Fuzz target: any Kafka record value on the canary topic parses to an event, a skip or an error
// message, never a crash, a hang or an exception.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "probes/canary/debezium_event.h"
#include "probes/canary/debezium_temporal.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view value(reinterpret_cast<const char*>(data), size);
  auto parsed = cdcwatch::parse_canary_event(value);
  if (parsed.kind == cdcwatch::ParsedCanaryEvent::Kind::kError && parsed.message.empty())
    __builtin_trap();
  (void)cdcwatch::parse_iso8601(value);
  return 0;
}
