#include "probes/consistency/sql_side.h"

#include "probes/pgconn/pg_connection.h"
#include "probes/warehouseconn/snowflake_client.h"

namespace cdcwatch {
namespace {

class PostgresSide final : public SqlSide {
 public:
  PostgresSide(const SecretString& dsn, Millis statement_timeout)
      : connection_(dsn, PgOptions{.statement_timeout = statement_timeout, .read_only = true}) {}
  Dialect dialect() const override { return Dialect::kPostgres; }
  void cancel() override { connection_.cancel(); }

  SqlRows query(const std::string& sql, const std::vector<std::string>& params, TimePoint,
                const Clock&) override {
    if (auto error = connection_.ensure_connected()) return {{}, "connect", *error};
    std::string numbered;
    int n = 0;
    for (char c : sql) numbered += c == '?' ? "$" + std::to_string(++n) : std::string(1, c);
    std::vector<std::optional<std::string>> bound(params.begin(), params.end());
    PgResult result = connection_.query(numbered, bound);
    if (!result.ok()) return {{}, result.sqlstate == "57014" ? "timeout" : "query", result.error};
    return {result.rows, "", ""};
  }

 private:
  PgConnection connection_;
};

class SnowflakeSide final : public SqlSide {
 public:
  SnowflakeSide(SnowflakeConfig config, Millis statement_timeout)
      : client_([&] {
          config.timeout = statement_timeout;
          return config;
        }()) {}
  Dialect dialect() const override { return Dialect::kSnowflake; }
  SqlRows query(const std::string& sql, const std::vector<std::string>& params, TimePoint deadline,
                const Clock& clock) override {
    return client_.query(sql, params, deadline, clock);
  }

 private:
  SnowflakeClient client_;
};

}  // namespace

std::unique_ptr<SqlSide> make_postgres_side(const SecretString& dsn, Millis statement_timeout) {
  return std::make_unique<PostgresSide>(dsn, statement_timeout);
}

std::unique_ptr<SqlSide> make_warehouse_side(const WarehouseConfig& warehouse,
                                             Millis statement_timeout) {
  if (warehouse.snowflake)
    return std::make_unique<SnowflakeSide>(*warehouse.snowflake, statement_timeout);
  return make_postgres_side(warehouse.postgres->dsn, statement_timeout);
}

}  // namespace cdcwatch
