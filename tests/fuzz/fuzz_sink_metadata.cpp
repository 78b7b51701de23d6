// Fuzz target: any 200 body Snowflake's SQL API returns to the sink-truth probe's statements
// (SHOW CHANNELS, SYSTEM$PIPE_STATUS) yields positions or pipe statuses, or an error naming what is
// malformed; never a crash or an exception (#18).
#include <cstddef>
#include <cstdint>
#include <string>

#include "probes/sink_truth/sink_queries.h"
#include "probes/warehouseconn/snowflake_client.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string body(reinterpret_cast<const char*>(data), size);
  cdcwatch::SqlRows rows = cdcwatch::parse_statement_rows(body);
  if (!rows.ok()) {
    if (rows.error_message.empty()) __builtin_trap();
    return 0;
  }
  auto channels = cdcwatch::read_channels(rows, "orders-sink", {"orders", "shop.public.orders"});
  for (const auto& [partition, token] : channels.tokens) {
    if (partition.second < 0 || (token && *token < 0)) __builtin_trap();
  }
  auto pipes = cdcwatch::read_pipe_statuses(rows, {"DB.S.P0", "DB.S.P1"});
  if (pipes.error.empty() && pipes.pipes.size() != 2) __builtin_trap();
  return 0;
}
