// Keeps a write to a socket the peer has closed from killing the process with SIGPIPE, whatever
// the process's SIGPIPE disposition: cpp-httplib 0.11 and OpenSSL write without MSG_NOSIGNAL.
// Blocks SIGPIPE on the calling thread for the guard's life and discards one raised meanwhile
// (the technique of libpq's pq_block_sigpipe / pq_reset_sigpipe).
#pragma once

#include <signal.h>

namespace cdcwatch {

class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigemptyset(&sigpipe_);
    sigaddset(&sigpipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &sigpipe_, &previous_);
    already_pending_ = pending();
  }
  ~SigpipeGuard() {
    if (!already_pending_ && pending()) {
      timespec no_wait{};
      sigtimedwait(&sigpipe_, nullptr, &no_wait);
    }
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;

 private:
  bool pending() const {
    sigset_t set;
    sigpending(&set);
    return sigismember(&set, SIGPIPE) == 1;
  }

  sigset_t sigpipe_, previous_;
  bool already_pending_ = false;
};

}  // namespace cdcwatch
