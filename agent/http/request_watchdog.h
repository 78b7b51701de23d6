// One outbound request's total deadline, enforced on its socket: at the deadline, or when its
// HttpCanceller is cancelled, the watchdog shuts the socket down, which wakes a blocked connect,
// TLS handshake, read or write at once. cpp-httplib 0.11 has only per-read timeouts, and its
// Client::stop() waits on a mutex held through connect and the TLS handshake, so neither bounds a
// peer that trickles one byte per second.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

namespace cdcwatch {

class RequestWatchdog;

// Cuts requests short from another thread (a probe's stop()). Once cancelled, every request that
// uses it, running or later, fails with "cancelled". Thread-safe.
class HttpCanceller {
 public:
  void cancel();
  bool cancelled() const;

 private:
  friend class RequestWatchdog;
  bool enroll(RequestWatchdog* watchdog);  // false when already cancelled
  void withdraw(RequestWatchdog* watchdog);

  mutable std::mutex mutex_;
  bool cancelled_ = false;
  std::set<RequestWatchdog*> running_;
};

class RequestWatchdog {
 public:
  enum class Verdict { kInTime, kDeadline, kCancelled };

  RequestWatchdog(std::chrono::steady_clock::time_point deadline, HttpCanceller* canceller);
  ~RequestWatchdog();
  RequestWatchdog(const RequestWatchdog&) = delete;
  RequestWatchdog& operator=(const RequestWatchdog&) = delete;

  // The request's socket, from cpp-httplib's socket_options hook. The watchdog keeps a duplicate
  // descriptor, so a socket number closed and reused elsewhere is never shut down by mistake.
  void watch(int socket);
  // kDeadline once the deadline has passed, whether or not the watchdog's thread has woken yet.
  Verdict verdict() const;

 private:
  friend class HttpCanceller;
  void fire(Verdict why);
  void run();

  std::chrono::steady_clock::time_point deadline_;
  HttpCanceller* canceller_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  int socket_ = -1;
  bool finished_ = false;
  Verdict verdict_ = Verdict::kInTime;
  std::thread thread_;
};

}  // namespace cdcwatch
