// One side of a consistency check, source or warehouse: read-only SQL with `?` placeholders
// bound as text, through libpq (PostgreSQL and Postgres-protocol warehouses) or Snowflake's SQL
// API. Statements are written per dialect by the checks.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "agent/core/clock.h"
#include "agent/core/secrets.h"
#include "probes/warehouseconn/sql_rows.h"
#include "probes/warehouseconn/warehouse_config.h"

namespace cdcwatch {

enum class Dialect { kPostgres, kSnowflake };

class SqlSide {
 public:
  virtual ~SqlSide() = default;
  virtual Dialect dialect() const = 0;
  virtual SqlRows query(const std::string& sql, const std::vector<std::string>& params,
                        TimePoint deadline, const Clock& clock) = 0;
  virtual void cancel() {}
};

std::unique_ptr<SqlSide> make_postgres_side(const SecretString& dsn, Millis statement_timeout);
std::unique_ptr<SqlSide> make_warehouse_side(const WarehouseConfig& warehouse,
                                             Millis statement_timeout);

}  // namespace cdcwatch
