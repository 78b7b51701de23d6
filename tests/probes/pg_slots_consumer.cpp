#include "tests/probes/pg_slots_consumer.h"

#include <poll.h>

#include <algorithm>

namespace cdcwatch::testing {
namespace {

uint64_t read_uint64(const char* bytes) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return value;
}

void write_uint64(uint64_t value, char* out) {
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
}

// Microseconds since 2000-01-01, the protocol's clock.
uint64_t protocol_now() {
  using namespace std::chrono;
  constexpr int64_t kPostgresEpochUnixSeconds = 946684800;
  auto since = system_clock::now().time_since_epoch() - seconds(kPostgresEpochUnixSeconds);
  return static_cast<uint64_t>(duration_cast<microseconds>(since).count());
}

}  // namespace

LogicalConsumer::LogicalConsumer(const std::string& dsn, const std::string& slot,
                                 const std::string& publication, const std::string& extra_options) {
  conn_ = PQconnectdb((dsn + " replication=database " + extra_options).c_str());
  PGresult* res =
      PQexec(conn_, ("START_REPLICATION SLOT " + slot +
                     " LOGICAL 0/0 (proto_version '1', publication_names '" + publication + "')")
                        .c_str());
  streaming_ = PQresultStatus(res) == PGRES_COPY_BOTH;
  PQclear(res);
}

LogicalConsumer::~LogicalConsumer() { PQfinish(conn_); }

int LogicalConsumer::read(int max_messages, std::chrono::milliseconds wait) {
  int read = 0;
  while (read < max_messages) {
    char* buffer = nullptr;
    int length = PQgetCopyData(conn_, &buffer, 1);
    if (length == 0) {
      if (read > 0) break;
      pollfd fd{PQsocket(conn_), POLLIN, 0};
      if (poll(&fd, 1, static_cast<int>(wait.count())) <= 0) break;
      PQconsumeInput(conn_);
      wait = std::chrono::milliseconds(0);
      continue;
    }
    if (length < 0) break;
    if (buffer[0] == 'w' && length >= 25) {
      received_ = std::max(received_, read_uint64(buffer + 1));
    } else if (buffer[0] == 'k' && length >= 18) {
      received_ = std::max(received_, read_uint64(buffer + 1));
    }
    PQfreemem(buffer);
    ++read;
  }
  return read;
}

void LogicalConsumer::confirm() {
  char message[34];
  message[0] = 'r';
  write_uint64(received_, message + 1);
  write_uint64(received_, message + 9);
  write_uint64(received_, message + 17);
  write_uint64(protocol_now(), message + 25);
  message[33] = 0;
  PQputCopyData(conn_, message, sizeof message);
  PQflush(conn_);
}

}  // namespace cdcwatch::testing
