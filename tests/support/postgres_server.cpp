#include "tests/support/postgres_server.h"

#include <arpa/inet.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace cdcwatch::testing {
namespace {

const std::string kBin = "/usr/lib/postgresql/15/bin/";

}  // namespace

int free_tcp_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  int port = ntohs(address.sin_port);
  close(fd);
  return port;
}

void PostgresServer::run_as_server_user(const std::string& command) const {
  std::string full = getuid() == 0 ? "runuser -u postgres -- " + command : command;
  full += " >>" + dir_ + "/harness.log 2>&1";
  if (std::system(full.c_str()) != 0) {
    std::ifstream log(dir_ + "/harness.log");
    std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
    throw std::runtime_error("postgres harness: `" + command + "` failed:\n" + text);
  }
}

PostgresServer::PostgresServer(PostgresOptions options) {
  char pattern[] = "/tmp/cdcwatch-pg-XXXXXX";
  if (mkdtemp(pattern) == nullptr) throw std::runtime_error("postgres harness: mkdtemp failed");
  dir_ = pattern;
  std::filesystem::permissions(dir_, std::filesystem::perms::owner_all |
                                         std::filesystem::perms::group_exec |
                                         std::filesystem::perms::others_exec);
  if (getuid() == 0) {
    passwd* pg = getpwnam("postgres");
    if (pg == nullptr) throw std::runtime_error("postgres harness: no `postgres` user");
    if (chown(dir_.c_str(), pg->pw_uid, pg->pw_gid) != 0) {
      throw std::runtime_error("postgres harness: chown failed");
    }
  }
  run_as_server_user(kBin + "initdb -D " + dir_ +
                     "/data -A trust -U postgres -N -E UTF8 --no-locale");
  port_ = free_tcp_port();
  std::ofstream conf(dir_ + "/data/postgresql.conf", std::ios::app);
  conf << "listen_addresses = '127.0.0.1'\nport = " << port_ << "\n"
       << "unix_socket_directories = '" << dir_ << "'\n"
       << "wal_level = logical\nmax_replication_slots = 10\nmax_wal_senders = 10\n"
       << "fsync = off\nfull_page_writes = off\n"
       << "shared_buffers = 16MB\nmax_connections = 50\n";
  if (options.pg_stat_statements) {
    conf << "shared_preload_libraries = 'pg_stat_statements'\npg_stat_statements.track = all\n";
  }
  for (const auto& line : options.extra_conf) conf << line << "\n";
  conf.close();
  start();
}

PostgresServer::~PostgresServer() {
  try {
    if (running_) run_as_server_user(kBin + "pg_ctl -D " + dir_ + "/data -m immediate -w stop");
  } catch (const std::exception&) {
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string PostgresServer::dsn(const std::string& db, const std::string& user) const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " dbname=" + db + " user=" + user;
}

void PostgresServer::exec(const std::string& sql, const std::string& db) const {
  query_value(sql, db);
}

std::string PostgresServer::query_value(const std::string& sql, const std::string& db) const {
  PGconn* conn = PQconnectdb(dsn(db).c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn);
    PQfinish(conn);
    throw std::runtime_error("postgres harness: connect: " + message);
  }
  PGresult* res = PQexec(conn, sql.c_str());
  ExecStatusType status = PQresultStatus(res);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    std::string message = PQresultErrorMessage(res);
    PQclear(res);
    PQfinish(conn);
    throw std::runtime_error("postgres harness: " + sql + ": " + message);
  }
  std::string value;
  if (status == PGRES_TUPLES_OK && PQntuples(res) > 0 && !PQgetisnull(res, 0, 0)) {
    value = PQgetvalue(res, 0, 0);
  }
  PQclear(res);
  PQfinish(conn);
  return value;
}

void PostgresServer::start() {
  run_as_server_user(kBin + "pg_ctl -D " + dir_ + "/data -l " + dir_ +
                     "/server.log -w -t 60 start");
  running_ = true;
}

void PostgresServer::stop() {
  run_as_server_user(kBin + "pg_ctl -D " + dir_ + "/data -m fast -w stop");
  running_ = false;
}

void PostgresServer::restart() {
  stop();
  start();
}

void PostgresServer::kill() {
  run_as_server_user(kBin + "pg_ctl -D " + dir_ + "/data -m immediate -w stop");
  running_ = false;
}

}  // namespace cdcwatch::testing
