// The canary's warehouse stage on Snowflake, through the SQL API
// (https://docs.snowflake.com/en/developer-guide/sql-api/reference):
// POST /api/v2/statements with a bind variable, a 202 answered by polling the statement handle,
// 429/503/504 (and transport failures) retried with backoff and jitter under the same requestId
// with retry=true, 401 answered once with a fresh JWT, 422 reported with Snowflake's code and
// message. Snowflake is asked for epoch milliseconds, never for timestamp strings.
#pragma once

#include <optional>

#include "probes/canary/canary_config.h"
#include "probes/canary/snowflake_jwt.h"
#include "probes/canary/warehouse_reader.h"

namespace cdcwatch {

struct HttpResponse;

// A 200 answer's ResultSet: the first row's SEQ and epoch milliseconds (jsonv2 string cells), no
// row, or an error naming what is malformed. `table` is for the message.
WarehouseRead parse_statement_result(const std::string& body, const std::string& table);

class SnowflakeReader final : public WarehouseReader {
 public:
  explicit SnowflakeReader(SnowflakeConfig config);
  WarehouseRead newest(const std::string& agent_id, TimePoint deadline, const Clock& clock) override;

  // The statement cdcwatch runs; `?` is the agent id.
  std::string statement() const;

 private:
  std::string token(int64_t now, bool renew);
  WarehouseRead failure(const HttpResponse& response) const;

  SnowflakeConfig config_;
  std::optional<SnowflakeKey> key_;
  std::string token_;
  int64_t token_expires_ = 0;
};

}  // namespace cdcwatch
