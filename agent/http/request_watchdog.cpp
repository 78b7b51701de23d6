#include "agent/http/request_watchdog.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace cdcwatch {

void HttpCanceller::cancel() {
  std::lock_guard lock(mutex_);
  cancelled_ = true;
  for (RequestWatchdog* watchdog : running_) watchdog->fire(RequestWatchdog::Verdict::kCancelled);
}

bool HttpCanceller::cancelled() const {
  std::lock_guard lock(mutex_);
  return cancelled_;
}

bool HttpCanceller::enroll(RequestWatchdog* watchdog) {
  std::lock_guard lock(mutex_);
  if (cancelled_) return false;
  running_.insert(watchdog);
  return true;
}

void HttpCanceller::withdraw(RequestWatchdog* watchdog) {
  std::lock_guard lock(mutex_);
  running_.erase(watchdog);
}

RequestWatchdog::RequestWatchdog(std::chrono::steady_clock::time_point deadline,
                                 HttpCanceller* canceller)
    : deadline_(deadline), canceller_(canceller) {
  if (canceller_ && !canceller_->enroll(this)) {
    canceller_ = nullptr;
    verdict_ = Verdict::kCancelled;
  }
  thread_ = std::thread([this] { run(); });
}

RequestWatchdog::~RequestWatchdog() {
  if (canceller_) canceller_->withdraw(this);
  {
    std::lock_guard lock(mutex_);
    finished_ = true;
  }
  wake_.notify_one();
  thread_.join();
  if (socket_ >= 0) close(socket_);
}

void RequestWatchdog::watch(int socket) {
  std::lock_guard lock(mutex_);
  if (socket_ >= 0) close(socket_);
  socket_ = fcntl(socket, F_DUPFD_CLOEXEC, 0);
  if (verdict_ != Verdict::kInTime && socket_ >= 0) shutdown(socket_, SHUT_RDWR);
}

RequestWatchdog::Verdict RequestWatchdog::verdict() const {
  std::lock_guard lock(mutex_);
  // From the clock, not only from the thread: cpp-httplib's own per-phase timeout expires just
  // after the deadline, and on a busy machine it can return before this thread has woken.
  if (verdict_ == Verdict::kInTime && std::chrono::steady_clock::now() >= deadline_)
    return Verdict::kDeadline;
  return verdict_;
}

void RequestWatchdog::fire(Verdict why) {
  {
    std::lock_guard lock(mutex_);
    if (verdict_ != Verdict::kInTime) return;
    verdict_ = why;
  }
  wake_.notify_one();
}

void RequestWatchdog::run() {
  std::unique_lock lock(mutex_);
  wake_.wait_until(lock, deadline_, [this] { return finished_ || verdict_ != Verdict::kInTime; });
  if (finished_) return;
  if (verdict_ == Verdict::kInTime) verdict_ = Verdict::kDeadline;
  // Again every few milliseconds: a socket still connecting may ignore one shutdown, and the
  // request may open another socket (the next address of the host).
  do {
    if (socket_ >= 0) shutdown(socket_, SHUT_RDWR);
  } while (!wake_.wait_for(lock, std::chrono::milliseconds(20), [this] { return finished_; }));
}

}  // namespace cdcwatch
