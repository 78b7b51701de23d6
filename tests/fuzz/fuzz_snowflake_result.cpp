// Fuzz target: any body Snowflake's SQL API returns with a 200 yields a row, no row, or an error
// naming what is malformed; never a crash or an exception.
#include <cstddef>
#include <cstdint>
#include <string>

#include "probes/canary/snowflake_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string body(reinterpret_cast<const char*>(data), size);
  auto read = cdcwatch::parse_statement_result(body, "ANALYTICS.ORDERS_CDC.CDCWATCH_CANARY");
  if (!read.ok() && read.error_message.empty()) __builtin_trap();
  return 0;
}
