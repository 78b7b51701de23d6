// The canary's warehouse stage on a Postgres-protocol warehouse (PostgreSQL, Redshift, ...):
// one read-only query for the agent's newest row.
#pragma once

#include "probes/canary/canary_config.h"
#include "probes/canary/warehouse_reader.h"
#include "probes/pgconn/pg_connection.h"

namespace cdcwatch {

class PgWarehouseReader final : public WarehouseReader {
 public:
  explicit PgWarehouseReader(const PgWarehouseConfig& config);
  WarehouseRead newest(const std::string& agent_id, TimePoint deadline,
                       const Clock& clock) override;
  void cancel() override { connection_.cancel(); }

 private:
  std::string table_;
  PgConnection connection_;
};

}  // namespace cdcwatch
