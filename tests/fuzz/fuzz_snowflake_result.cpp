// Fuzz target: any body Snowflake's SQL API returns with a 200 yields a row, no row, or an error
// naming what is malformed; never a crash or an exception. The same bytes as a 202's
// statementStatusUrl are accepted only as a path or on the configured host, never with userinfo.
#include <cstddef>
#include <cstdint>
#include <string>

#include "probes/canary/snowflake_reader.h"
#include "probes/warehouseconn/snowflake_client.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string body(reinterpret_cast<const char*>(data), size);
  auto read = cdcwatch::parse_statement_result(body, "ANALYTICS.ORDERS_CDC.CDCWATCH_CANARY");
  if (!read.ok() && read.error_message.empty()) __builtin_trap();
  const std::string base = "https://myorg-myaccount.snowflakecomputing.com";
  if (auto url = cdcwatch::statement_status_url(base, body)) {
    std::string authority = url->substr(0, url->find_first_of("/?#", base.size() - 1));
    if (authority.find('@') != std::string::npos) __builtin_trap();
  }
  return 0;
}
