// One accepted connection of the endpoint server: a non-blocking socket, optionally TLS, and the
// bytes received but not yet answered. The event loop pumps it (handshake and reads never block);
// a worker writes the answer under a deadline. Owned by one thread at a time.
#pragma once

#include <openssl/ssl.h>

#include <atomic>
#include <chrono>
#include <string>

namespace cdcwatch {

using SteadyTime = std::chrono::steady_clock::time_point;

class ServerConnection {
 public:
  enum class Io { kWantRead, kWantWrite, kFull, kClosed };

  // Takes ownership of `socket` (non-blocking); `tls` null for plain HTTP.
  ServerConnection(int socket, SSL_CTX* tls);
  ~ServerConnection();
  ServerConnection(const ServerConnection&) = delete;
  ServerConnection& operator=(const ServerConnection&) = delete;

  int socket() const { return socket_; }
  // Completes the TLS handshake, then appends whatever has arrived to received() until it holds
  // `limit` bytes (kFull) or nothing more is waiting.
  Io pump(size_t limit);
  // Blocks until all of `bytes` is written; false at the deadline, on error or when `stopping`.
  bool write_all(const std::string& bytes, SteadyTime deadline, const std::atomic<bool>& stopping);

  std::string& received() { return received_; }

  // Bookkeeping of the event loop and the workers.
  SteadyTime deadline;       // closed when still waiting at this time
  SteadyTime waiting_since;  // the oldest waiting connection is evicted first
  bool idle = false;         // between requests (keep-alive) rather than reading a head
  int requests_served = 0;

 private:
  Io read_plain(size_t limit);
  Io read_tls(size_t limit);

  int socket_;
  SSL* ssl_ = nullptr;
  bool handshake_done_ = false;
  std::string received_;
};

// A TLS context for the server from PEM files; throws std::runtime_error naming them.
SSL_CTX* make_server_tls(const std::string& cert_file, const std::string& key_file);

}  // namespace cdcwatch
