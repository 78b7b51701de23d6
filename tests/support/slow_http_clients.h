// Misbehaving clients of the agent's endpoints, for tests and bench/scrape_under_load_bench:
// sockets that connect and send nothing (an idle flood), or a slowloris that sends a request line
// and then one header line every `every`, never finishing its head (the attacks of issue 23).
// One background thread drives every socket. Not thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace cdcwatch::testing {

class SlowHttpClients {
 public:
  enum class Kind { kIdle, kSlowloris };

  // Connects `count` sockets to 127.0.0.1:`port`; throws when a connect fails (raise the
  // descriptor limit: raise_descriptor_limit()).
  SlowHttpClients(int port, size_t count, Kind kind,
                  std::chrono::milliseconds every = std::chrono::seconds(2));
  ~SlowHttpClients();
  SlowHttpClients(const SlowHttpClients&) = delete;
  SlowHttpClients& operator=(const SlowHttpClients&) = delete;

  size_t count() const { return sockets_.size(); }
  // How many the server has closed so far (polled now, without blocking).
  size_t closed_by_server();
  // Header lines sent so far, over all sockets.
  size_t lines_sent() const { return lines_sent_; }

 private:
  void trickle();

  std::vector<int> sockets_;
  std::vector<bool> closed_;
  std::chrono::milliseconds every_;
  std::atomic<bool> stopping_ = false;
  std::atomic<size_t> lines_sent_ = 0;
  std::thread thread_;
};

// A blocking socket connected to 127.0.0.1:`port`; throws when it cannot connect.
int connect_loopback(int port);

// Raises this process's soft descriptor limit to its hard limit: a test that opens 1,000 sockets
// to an in-process server holds 2,000 descriptors.
void raise_descriptor_limit();

}  // namespace cdcwatch::testing
