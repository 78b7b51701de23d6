#include "probes/canary/canary_writer.h"

namespace cdcwatch {
namespace {

constexpr const char* kClockColumns =
    "extract(epoch FROM written_at)::float8, extract(epoch FROM clock_timestamp())::float8";

std::string upsert_sql(const std::string& table) {
  return "INSERT INTO " + table +
         " AS c (agent_id, seq, written_at) VALUES ($1, 1, now()) "
         "ON CONFLICT (agent_id) DO UPDATE SET seq = c.seq + 1, written_at = now() "
         "RETURNING seq, " +
         kClockColumns;
}

std::string read_sql(const std::string& table) {
  return "SELECT seq, " + std::string(kClockColumns) + " FROM " + table + " WHERE agent_id = $1";
}

std::string create_sql(const std::string& table) {
  return "CREATE TABLE IF NOT EXISTS " + table +
         " (agent_id text PRIMARY KEY, seq bigint NOT NULL, written_at timestamptz NOT NULL)";
}

}  // namespace

std::string CanaryWriter::setup_sql(const std::string& table, const std::string& role) {
  return create_sql(table) + ";\nGRANT SELECT, INSERT, UPDATE ON " + table + " TO " + role +
         ";\n-- and add it to the connector's publication and table.include.list, e.g.\n"
         "ALTER PUBLICATION dbz_publication ADD TABLE " +
         table + ";";
}

CanaryWriter::CanaryWriter(const CanaryConfig& canary, const PgSourceConfig& source)
    : canary_(canary),
      source_name_(source.name),
      connection_(source.dsn, PgOptions{.connect_timeout = source.connect_timeout,
                                        .statement_timeout = source.statement_timeout,
                                        .read_only = canary.mode == "observe"}) {}

CanaryWriteResult CanaryWriter::write_or_read(const Clock& clock) {
  if (auto error = connection_.ensure_connected()) {
    return {
        std::nullopt, "connect",
        "canary " + canary_.name + ": cannot connect to postgres " + source_name_ + ": " + *error};
  }
  bool writing = canary_.mode == "write";
  CanaryWriteResult result =
      run(writing ? upsert_sql(canary_.table) : read_sql(canary_.table), clock);
  if (result.error_reason == "missing_table" && writing && canary_.create_table) {
    PgResult created = connection_.query(create_sql(canary_.table));
    if (!created.ok()) {
      return {std::nullopt, "query",
              "canary " + canary_.name + ": create_table failed: " + created.error};
    }
    result = run(upsert_sql(canary_.table), clock);
  }
  return result;
}

CanaryWriteResult CanaryWriter::run(const std::string& sql, const Clock& clock) {
  double sent = to_unix_seconds(clock.now());
  PgResult r = connection_.query(sql, {canary_.agent_id});
  double received = to_unix_seconds(clock.now());
  std::string where =
      "canary " + canary_.name + " (postgres " + source_name_ + ", table " + canary_.table + ")";
  if (r.sqlstate == "42P01") {
    return {std::nullopt, "missing_table",
            where + ": the table does not exist. Run as an owner of the schema:\n" +
                setup_sql(canary_.table, "cdcwatch") +
                "\n(see scripts/sql/canary_table.sql), or set create_table: true"};
  }
  if (r.sqlstate == "42501") {
    return {std::nullopt, "permission",
            where + ": permission denied; GRANT SELECT, INSERT, UPDATE ON " + canary_.table +
                " to cdcwatch's role (scripts/sql/canary_table.sql)"};
  }
  if (!r.ok()) return {std::nullopt, "query", where + ": " + r.error};
  if (r.rows.empty()) {
    return {std::nullopt, "no_row",
            where + ": no row with agent_id '" + canary_.agent_id +
                "'; in observe mode set agent_id to the key your heartbeat writes"};
  }
  const auto& row = r.rows.front();
  if (row.size() < 3 || !row[0] || !row[1] || !row[2]) {
    return {std::nullopt, "query", where + ": seq or written_at is NULL"};
  }
  CanaryWrite write;
  try {
    write.seq = std::stoll(*row[0]);
    write.written_at = std::stod(*row[1]);
    // The database read its clock somewhere between sending and receiving: assume the middle.
    write.clock_skew = (sent + received) / 2 - std::stod(*row[2]);
  } catch (const std::exception&) {
    return {std::nullopt, "query", where + ": unexpected seq or written_at values"};
  }
  return {write, "", ""};
}

}  // namespace cdcwatch
