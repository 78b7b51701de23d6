// A logical replication consumer speaking the streaming replication protocol through libpq, as
// Debezium's pgjdbc does, so tests hold a slot active and control exactly what it reads and
// confirms. Messages: https://www.postgresql.org/docs/15/protocol-replication.html (XLogData 'w',
// Primary keepalive 'k', Standby status update 'r'). Not thread-safe.
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <cstdint>
#include <string>

namespace cdcwatch::testing {

class LogicalConsumer {
 public:
  // `extra_options`: conninfo words, e.g. "options='-c logical_decoding_work_mem=64kB'".
  LogicalConsumer(const std::string& dsn, const std::string& slot, const std::string& publication,
                  const std::string& extra_options = "");
  ~LogicalConsumer();
  LogicalConsumer(const LogicalConsumer&) = delete;
  LogicalConsumer& operator=(const LogicalConsumer&) = delete;

  bool streaming() const { return streaming_; }
  // Reads at most `max_messages` (a throttled consumer reads few), waiting up to `wait` for the
  // first; returns how many were read.
  int read(int max_messages, std::chrono::milliseconds wait);
  // Confirms (write, flush, apply) the furthest position received so far.
  void confirm();
  uint64_t received_lsn() const { return received_; }

 private:
  PGconn* conn_;
  bool streaming_ = false;
  uint64_t received_ = 0;
};

}  // namespace cdcwatch::testing
