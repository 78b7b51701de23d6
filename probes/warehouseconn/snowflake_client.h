// Snowflake's SQL API (https://docs.snowflake.com/en/developer-guide/sql-api/reference):
// POST /api/v2/statements?requestId=<uuid> with TEXT bind variables; a 202 is answered by polling
// the statement's statementStatusUrl (a path, or an absolute URL on the configured host); 429, 500,
// 502, 503, 504 and transport failures are retried with backoff and jitter under the same
// requestId with retry=true (a resubmission Snowflake runs once); a 408 (Snowflake cancelled the
// statement at its timeout) is a `timeout` error;
// a 401 is answered once with a fresh key-pair JWT; a 422 is reported with Snowflake's code and
// message. Every exchange is bounded by the caller's deadline. One result partition is read: the
// statements cdcwatch runs return a handful of rows.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "agent/core/clock.h"
#include "probes/warehouseconn/snowflake_jwt.h"
#include "probes/warehouseconn/sql_rows.h"
#include "probes/warehouseconn/warehouse_config.h"

namespace cdcwatch {

// Where to poll a statement after a 202: the answer's statementStatusUrl, a path on `base_url`
// (as documented) or an absolute URL on the same scheme, host and port. Any other host is
// refused (nullopt): every request carries the key-pair JWT, which must reach Snowflake only,
// never a host named in a response.
std::optional<std::string> statement_status_url(const std::string& base_url,
                                                const std::string& status_url);

// A 200 answer's ResultSet as text cells (jsonv2), or an error naming what is malformed.
SqlRows parse_statement_rows(const std::string& body);

class SnowflakeClient {
 public:
  explicit SnowflakeClient(SnowflakeConfig config);
  // Runs one statement; `bindings` fill its `?` in order.
  SqlRows query(const std::string& statement, const std::vector<std::string>& bindings,
                TimePoint deadline, const Clock& clock);
  const SnowflakeConfig& config() const { return config_; }

 private:
  std::string token(int64_t now, bool renew);

  SnowflakeConfig config_;
  std::optional<SnowflakeKey> key_;
  std::string token_;
  int64_t token_expires_ = 0;
};

}  // namespace cdcwatch
