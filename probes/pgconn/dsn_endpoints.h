// The servers a libpq connection string points at, as (host, port) pairs, read with libpq's own
// parser (key=value or URI, several hosts, hostaddr): the pipeline stage uses them to tell which
// `postgres:` entry a Debezium connector's database.hostname and database.port name. Only host and
// port leave this function; nothing else of the string, nor libpq's error text, is kept.
#pragma once

#include <string>
#include <vector>

namespace cdcwatch {

struct PgEndpoint {
  std::string host;  // a host name, an IP address (host or hostaddr), or a Unix socket directory
  std::string port;  // "5432" when the string names none
  bool operator==(const PgEndpoint&) const = default;
};

// Empty when libpq cannot parse it (the connection itself will say why, redacted).
std::vector<PgEndpoint> dsn_endpoints(const std::string& dsn);

}  // namespace cdcwatch
