// One libpq connection with the agent's manners: application_name=cdcwatch, connect_timeout,
// statement_timeout (and optionally read-only transactions), and reconnects paced by capped
// exponential backoff so a down database is not hammered. Owned by one probe worker; cancel()
// alone may be called from another thread.
#pragma once

#include <libpq-fe.h>

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "agent/core/backoff.h"
#include "agent/core/secrets.h"
#include "agent/core/units.h"

namespace cdcwatch {

struct PgOptions {
  Millis connect_timeout{5000};
  Millis statement_timeout{5000};
  bool read_only = true;
  std::string application_name = "cdcwatch";
};

struct PgResult {
  std::string error;     // empty on success; libpq's message, scrubbed of secrets
  std::string sqlstate;  // e.g. 42P01 for a missing table
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;  // nullopt for SQL NULL

  bool ok() const { return error.empty(); }
  // Column index by name, or -1.
  int column(const std::string& name) const;
  const std::optional<std::string>& at(size_t row, const std::string& column_name) const;
};

class PgConnection {
 public:
  PgConnection(SecretString dsn, PgOptions options);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Connects when not connected and the backoff allows; returns an error message or nullopt.
  std::optional<std::string> ensure_connected();
  // Runs one statement with text parameters. A broken connection is closed so the next call
  // reconnects.
  PgResult query(const std::string& sql,
                 const std::vector<std::optional<std::string>>& params = {});
  bool connected() const { return conn_ != nullptr; }
  // Asks the server to cancel the running statement; safe from any thread.
  void cancel();
  void close();

 private:
  SecretString dsn_;
  PgOptions options_;
  PGconn* conn_ = nullptr;
  Backoff backoff_{Millis(500), Millis(30000)};
  std::chrono::steady_clock::time_point next_attempt_{};
  std::mutex cancel_mutex_;
  PGcancel* cancel_ = nullptr;
};

}  // namespace cdcwatch
