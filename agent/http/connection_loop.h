// The endpoint server's front: one thread accepts every connection and reads request heads in a
// single epoll loop, so idle and slow clients cost a socket, not a worker. Each connection has a
// total deadline: header_timeout to deliver a complete head (TLS handshake included) and
// idle_timeout between keep-alive requests. At max_open connections the one waiting longest is
// closed to make room (connections with workers are bounded by their queue), so a flood cannot lock
// out /healthz. Complete heads go to `on_head` (called on the loop thread; it must not block);
// workers hand keep-alive connections back.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "agent/core/units.h"
#include "agent/http/server_connection.h"

namespace cdcwatch {

struct ConnectionLimits {
  Millis header_timeout{5000};
  Millis idle_timeout{30000};
  size_t max_head_bytes = 16 * 1024;
  size_t max_open = 4096;
};

class ConnectionLoop {
 public:
  using OnHead = std::function<void(std::unique_ptr<ServerConnection>)>;

  // `listener` is a bound, listening socket (the loop makes it non-blocking and closes it).
  ConnectionLoop(int listener, SSL_CTX* tls, ConnectionLimits limits, OnHead on_head);
  ~ConnectionLoop();
  ConnectionLoop(const ConnectionLoop&) = delete;
  ConnectionLoop& operator=(const ConnectionLoop&) = delete;

  void run();   // until stop()
  void stop();  // thread-safe
  // Thread-safe: a worker returns a connection that stays open for the next request.
  void give_back(std::unique_ptr<ServerConnection> connection);

 private:
  void accept_all();
  void admit(int socket);
  void evict_longest_waiting();
  void on_readable(int socket);
  void take_back_returned();
  void close_expired();
  void watch(std::unique_ptr<ServerConnection> connection, uint32_t events);
  void release(int socket);  // stop watching and hand over to on_head

  int listener_;
  int epoll_;
  int wakeup_;  // eventfd: stop() and give_back()
  SSL_CTX* tls_;
  ConnectionLimits limits_;
  OnHead on_head_;
  std::unordered_map<int, std::unique_ptr<ServerConnection>> open_;
  std::atomic<bool> stopping_ = false;
  std::mutex returned_mutex_;
  std::vector<std::unique_ptr<ServerConnection>> returned_;
};

}  // namespace cdcwatch
