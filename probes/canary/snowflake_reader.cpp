#include "probes/canary/snowflake_reader.h"

#include <charconv>

namespace cdcwatch {
namespace {

std::optional<int64_t> as_integer(const std::optional<std::string>& cell) {
  if (!cell) return std::nullopt;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(cell->data(), cell->data() + cell->size(), value);
  if (ec != std::errc() || end != cell->data() + cell->size()) return std::nullopt;
  return value;
}

WarehouseRead to_read(const SqlRows& rows, const std::string& table) {
  if (!rows.ok()) return {std::nullopt, rows.error_reason, rows.error_message};
  if (rows.rows.empty()) return {};
  const auto& row = rows.rows.front();
  std::string where = "Snowflake result for " + table;
  if (row.size() < 2) return {std::nullopt, "response", where + ": a row without two columns"};
  auto seq = as_integer(row[0]);
  auto millis = as_integer(row[1]);
  if (!seq || !millis)
    return {std::nullopt, "response", where + ": SEQ or WRITTEN_AT is NULL or not a number"};
  return {WarehouseRow{*seq, static_cast<double>(*millis) / 1000.0}, "", ""};
}

}  // namespace

WarehouseRead parse_statement_result(const std::string& body, const std::string& table) {
  return to_read(parse_statement_rows(body), table);
}

std::string SnowflakeReader::statement() const {
  // TO_TIMESTAMP_TZ reads written_at whether the sink stored a timestamp or Debezium's ISO string.
  return "SELECT SEQ, DATE_PART(EPOCH_MILLISECOND, TO_TIMESTAMP_TZ(WRITTEN_AT)) FROM " +
         client_.config().table + " WHERE AGENT_ID = ? ORDER BY SEQ DESC LIMIT 1";
}

WarehouseRead SnowflakeReader::newest(const std::string& agent_id, TimePoint deadline,
                                      const Clock& clock) {
  return to_read(client_.query(statement(), {agent_id}, deadline, clock), client_.config().table);
}

}  // namespace cdcwatch
