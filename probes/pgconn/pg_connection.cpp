#include "probes/pgconn/pg_connection.h"

#include <chrono>

#include "probes/pgconn/dsn_redaction.h"

namespace cdcwatch {
namespace {

std::string trim_message(std::string message) {
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return scrub_secrets(std::move(message));
}

}  // namespace

int PgResult::column(const std::string& name) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == name) return static_cast<int>(i);
  }
  return -1;
}

const std::optional<std::string>& PgResult::at(size_t row, const std::string& column_name) const {
  static const std::optional<std::string> kMissing;
  int index = column(column_name);
  if (index < 0 || row >= rows.size()) return kMissing;
  return rows[row][index];
}

PgConnection::PgConnection(SecretString dsn, PgOptions options)
    : dsn_(std::move(dsn)), options_(std::move(options)) {
  remember_dsn_passwords(dsn_.value);  // a password written inline is as secret as a reference
}

PgConnection::~PgConnection() { close(); }

void PgConnection::close() {
  {
    std::lock_guard lock(cancel_mutex_);
    if (cancel_ != nullptr) PQfreeCancel(cancel_);
    cancel_ = nullptr;
  }
  if (conn_ != nullptr) PQfinish(conn_);
  conn_ = nullptr;
}

std::optional<std::string> PgConnection::ensure_connected() {
  if (conn_ != nullptr) return std::nullopt;
  auto now = std::chrono::steady_clock::now();
  if (now < next_attempt_) {
    auto wait = std::chrono::duration_cast<Millis>(next_attempt_ - now);
    return "not connected; next attempt in " + format_duration(Millis(wait.count() / 100 * 100));
  }
  std::string connect_seconds =
      std::to_string(std::max<int64_t>(1, options_.connect_timeout.count() / 1000));
  std::string server_options =
      "-c statement_timeout=" + std::to_string(options_.statement_timeout.count()) +
      " -c lock_timeout=" + std::to_string(options_.statement_timeout.count()) +
      // The canary writer says off explicitly: cdcwatch_role.sql makes read-only the role's
      // default.
      (options_.read_only ? " -c default_transaction_read_only=on"
                          : " -c default_transaction_read_only=off");
  // Later keywords override what the user's conninfo (expanded from dbname) says.
  const char* keywords[] = {"dbname", "application_name", "connect_timeout", "options", nullptr};
  const char* values[] = {dsn_.value.c_str(), options_.application_name.c_str(),
                          connect_seconds.c_str(), server_options.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keywords, values, 1);
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
    std::string message = conn == nullptr ? "out of memory" : trim_message(PQerrorMessage(conn));
    if (conn != nullptr) PQfinish(conn);
    next_attempt_ = std::chrono::steady_clock::now() + backoff_.next_delay();
    return message;
  }
  backoff_.reset();
  conn_ = conn;
  std::lock_guard lock(cancel_mutex_);
  cancel_ = PQgetCancel(conn_);
  return std::nullopt;
}

PgResult PgConnection::query(const std::string& sql,
                             const std::vector<std::optional<std::string>>& params) {
  PgResult result;
  if (auto error = ensure_connected()) {
    result.error = *error;
    return result;
  }
  std::vector<const char*> values;
  for (const auto& param : params) values.push_back(param ? param->c_str() : nullptr);
  PGresult* res = PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                               values.data(), nullptr, nullptr, 0);
  ExecStatusType status = PQresultStatus(res);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    result.error = trim_message(res != nullptr ? PQresultErrorMessage(res) : PQerrorMessage(conn_));
    if (result.error.empty()) result.error = trim_message(PQerrorMessage(conn_));
    const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    if (state != nullptr) result.sqlstate = state;
    PQclear(res);
    if (PQstatus(conn_) != CONNECTION_OK) {
      close();
      next_attempt_ = std::chrono::steady_clock::now() + backoff_.next_delay();
    }
    return result;
  }
  int columns = PQnfields(res), rows = PQntuples(res);
  for (int c = 0; c < columns; ++c) result.columns.emplace_back(PQfname(res, c));
  result.rows.reserve(rows);
  for (int r = 0; r < rows; ++r) {
    auto& row = result.rows.emplace_back();
    for (int c = 0; c < columns; ++c) {
      if (PQgetisnull(res, r, c)) {
        row.emplace_back(std::nullopt);
      } else {
        row.emplace_back(std::string(PQgetvalue(res, r, c), PQgetlength(res, r, c)));
      }
    }
  }
  PQclear(res);
  return result;
}

void PgConnection::cancel() {
  std::lock_guard lock(cancel_mutex_);
  if (cancel_ == nullptr) return;
  char error[256];
  PQcancel(cancel_, error, sizeof error);
}

}  // namespace cdcwatch
