// A TCP peer on 127.0.0.1 that accepts connections one after another, reads each request head,
// sends `prefix` and then one byte of `trickle` every `every` until the client goes or the peer
// stops: the slow Kafka Connect worker or PagerDuty endpoint of issue 23 (`HTTP/1.1 200 OK\r\n`,
// then a byte a second). With an empty prefix and trickle it accepts and never answers, which is
// also a TLS peer that never completes a handshake.
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

namespace cdcwatch::testing {

class TricklingPeer {
 public:
  TricklingPeer(std::string prefix, std::string trickle,
                std::chrono::milliseconds every = std::chrono::seconds(1));
  ~TricklingPeer();
  TricklingPeer(const TricklingPeer&) = delete;
  TricklingPeer& operator=(const TricklingPeer&) = delete;

  std::string url(const std::string& scheme = "http") const;
  bool accepted() const { return accepted_ > 0; }
  size_t connections() const { return accepted_; }
  size_t trickled() const { return trickled_; }  // bytes of `trickle` sent, over all connections

 private:
  bool wait_readable(int socket_fd, std::chrono::milliseconds limit);
  void serve();
  void serve_one(int connection);

  std::string prefix_, trickle_;
  std::chrono::milliseconds every_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_ = false;
  std::atomic<size_t> accepted_ = 0, trickled_ = 0;
  std::thread thread_;
};

}  // namespace cdcwatch::testing
