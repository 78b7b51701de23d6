#include "probes/canary/pg_warehouse_reader.h"

namespace cdcwatch {

PgWarehouseReader::PgWarehouseReader(const PgWarehouseConfig& config)
    : table_(config.table), connection_(config.dsn, PgOptions{.read_only = true}) {}

WarehouseRead PgWarehouseReader::newest(const std::string& agent_id, TimePoint, const Clock&) {
  if (auto error = connection_.ensure_connected()) {
    return {std::nullopt, "connect", "cannot connect to the warehouse: " + *error};
  }
  // A sink may store written_at as timestamptz or as Debezium's ISO string: the cast reads both.
  PgResult r =
      connection_.query("SELECT seq, extract(epoch FROM written_at::timestamptz)::float8 FROM " +
                            table_ + " WHERE agent_id = $1 ORDER BY seq DESC LIMIT 1",
                        {agent_id});
  if (r.sqlstate == "42P01") {
    return {std::nullopt, "query",
            "warehouse table " + table_ +
                " does not exist: check "
                "canaries[].warehouse.postgres.table and that the sink creates it"};
  }
  if (!r.ok()) return {std::nullopt, "query", "warehouse table " + table_ + ": " + r.error};
  if (r.rows.empty()) return {};
  const auto& row = r.rows.front();
  if (!row[0] || !row[1])
    return {std::nullopt, "query", "warehouse table " + table_ + ": NULL seq or written_at"};
  try {
    return {WarehouseRow{std::stoll(*row[0]), std::stod(*row[1])}, "", ""};
  } catch (const std::exception&) {
    return {std::nullopt, "query",
            "warehouse table " + table_ + ": seq or written_at is not a number"};
  }
}

}  // namespace cdcwatch
