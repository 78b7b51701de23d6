// The threads that answer complete requests: `general` of them for any path, plus one kept for
// health checks, so slow /metrics renders or a burst of authorised scrapes never delay /healthz
// or /readyz. Each queue holds at most `queue_limit` connections; submit() refuses more and the
// connection is closed. Thread-safe.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "agent/http/server_connection.h"

namespace cdcwatch {

class RequestWorkers {
 public:
  using Answer = std::function<void(std::unique_ptr<ServerConnection>)>;

  RequestWorkers(size_t general, size_t queue_limit, Answer answer);
  ~RequestWorkers();
  RequestWorkers(const RequestWorkers&) = delete;
  RequestWorkers& operator=(const RequestWorkers&) = delete;

  bool submit(std::unique_ptr<ServerConnection> connection, bool health_check);
  void stop();  // drops what is queued and waits for the answers being written

 private:
  void work(bool health_checks_only);

  size_t queue_limit_;
  Answer answer_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::unique_ptr<ServerConnection>> general_, health_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace cdcwatch
