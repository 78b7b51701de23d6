// The canary's warehouse stage on Snowflake: one statement through the SQL API client,
// asking for epoch milliseconds rather than timestamp strings.
#pragma once

#include "probes/canary/warehouse_reader.h"
#include "probes/warehouseconn/snowflake_client.h"

namespace cdcwatch {

// A 200 answer's ResultSet as the canary's newest row, no row, or an error naming what is
// malformed. `table` is for the message.
WarehouseRead parse_statement_result(const std::string& body, const std::string& table);

class SnowflakeReader final : public WarehouseReader {
 public:
  explicit SnowflakeReader(SnowflakeConfig config) : client_(std::move(config)) {}
  WarehouseRead newest(const std::string& agent_id, TimePoint deadline,
                       const Clock& clock) override;

  // The statement cdcwatch runs; `?` is the agent id.
  std::string statement() const;

 private:
  SnowflakeClient client_;
};

}  // namespace cdcwatch
