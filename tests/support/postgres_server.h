// A real PostgreSQL 15 for tests: initdb + pg_ctl from /usr/lib/postgresql/15/bin in a fresh temp
// dir, on 127.0.0.1 and a free port, wal_level=logical, trust auth. The server refuses to run as
// root, so when uid is 0 it runs as the `postgres` user (runuser). Stops and deletes on
// destruction. Not thread-safe; exec() opens a fresh connection per call.
#pragma once

#include <string>
#include <vector>

namespace cdcwatch::testing {

struct PostgresOptions {
  std::vector<std::string>
      extra_conf;  // postgresql.conf lines, e.g. "max_slot_wal_keep_size = 1MB"
  bool pg_stat_statements = false;
};

class PostgresServer {
 public:
  explicit PostgresServer(PostgresOptions options = {});  // starts the server; throws on failure
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  int port() const { return port_; }
  std::string dsn(const std::string& db = "postgres", const std::string& user = "postgres") const;
  // Runs SQL (several statements allowed); throws std::runtime_error with the server's message.
  void exec(const std::string& sql, const std::string& db = "postgres") const;
  // The first column of the first row, or "" for NULL / no rows.
  std::string query_value(const std::string& sql, const std::string& db = "postgres") const;

  void stop();   // fast shutdown
  void start();  // after stop()
  void restart();
  void kill();  // immediate shutdown, as a crash would

 private:
  void run_as_server_user(const std::string& command) const;
  std::string dir_;
  int port_ = 0;
  bool running_ = false;
};

int free_tcp_port();

}  // namespace cdcwatch::testing
