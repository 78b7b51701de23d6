// Fuzz target: any body a Kafka Connect worker returns for the connector list, one connector's
// status or its offsets yields states, offsets or an error, never a crash or an exception.
#include <cstddef>
#include <cstdint>
#include <string>

#include "probes/connect/connector_offsets.h"
#include "probes/connect/connector_status.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string body(reinterpret_cast<const char*>(data), size);
  (void)cdcwatch::parse_expanded_connectors(body);
  (void)cdcwatch::parse_offsets_answer(body);
  auto json = nlohmann::json::parse(body, nullptr, false);
  cdcwatch::ConnectorStatus status;
  status.name = "fuzz";
  (void)cdcwatch::parse_connector_status(json, status);
  cdcwatch::apply_connector_info(json, status);
  (void)cdcwatch::debezium_committed_lsn(json);
  (void)cdcwatch::parse_pg_lsn(body);
  return 0;
}
