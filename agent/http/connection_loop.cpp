#include "agent/http/connection_loop.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>

#include "agent/http/sigpipe_guard.h"

namespace cdcwatch {
namespace {

constexpr int kSweepMillis = 100;  // deadlines are checked this often
constexpr int kMaxEvents = 256;

SteadyTime now() { return std::chrono::steady_clock::now(); }

}  // namespace

ConnectionLoop::ConnectionLoop(int listener, SSL_CTX* tls, ConnectionLimits limits, OnHead on_head)
    : listener_(listener),
      epoll_(epoll_create1(EPOLL_CLOEXEC)),
      wakeup_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
      tls_(tls),
      limits_(limits),
      on_head_(std::move(on_head)) {
  if (epoll_ < 0 || wakeup_ < 0) throw std::runtime_error("cannot create the endpoint event loop");
  fcntl(listener_, F_SETFL, fcntl(listener_, F_GETFL) | O_NONBLOCK);
  for (int socket : {listener_, wakeup_}) {
    epoll_event event{EPOLLIN, {.fd = socket}};
    epoll_ctl(epoll_, EPOLL_CTL_ADD, socket, &event);
  }
}

ConnectionLoop::~ConnectionLoop() {
  open_.clear();
  returned_.clear();
  close(listener_);
  close(wakeup_);
  close(epoll_);
}

void ConnectionLoop::run() {
  SigpipeGuard no_sigpipe;  // TLS handshakes write to clients that may be gone
  epoll_event events[kMaxEvents];
  SteadyTime next_sweep = now();
  while (!stopping_) {
    int ready = epoll_wait(epoll_, events, kMaxEvents, kSweepMillis);
    for (int i = 0; i < ready && !stopping_; ++i) {
      int socket = events[i].data.fd;
      if (socket == listener_) {
        accept_all();
      } else if (socket == wakeup_) {
        take_back_returned();
      } else {
        on_readable(socket);
      }
    }
    if (now() >= next_sweep) {
      close_expired();
      next_sweep = now() + std::chrono::milliseconds(kSweepMillis);
    }
  }
}

void ConnectionLoop::stop() {
  stopping_ = true;
  uint64_t one = 1;
  [[maybe_unused]] auto written = write(wakeup_, &one, sizeof one);
}

void ConnectionLoop::give_back(std::unique_ptr<ServerConnection> connection) {
  {
    std::lock_guard lock(returned_mutex_);
    if (stopping_) return;  // closes it
    returned_.push_back(std::move(connection));
  }
  uint64_t one = 1;
  [[maybe_unused]] auto written = write(wakeup_, &one, sizeof one);
}

void ConnectionLoop::accept_all() {
  while (true) {
    int socket = accept4(listener_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (socket >= 0) {
      admit(socket);
      continue;
    }
    if (errno == EINTR || errno == ECONNABORTED) continue;
    // EMFILE/ENFILE: make room, the next readiness event retries.
    if ((errno == EMFILE || errno == ENFILE) && !open_.empty()) evict_longest_waiting();
    return;
  }
}

void ConnectionLoop::admit(int socket) {
  if (open_.size() >= limits_.max_open) evict_longest_waiting();
  auto connection = std::make_unique<ServerConnection>(socket, tls_);
  connection->waiting_since = now();
  connection->deadline = connection->waiting_since + limits_.header_timeout;
  watch(std::move(connection), EPOLLIN);
}

void ConnectionLoop::evict_longest_waiting() {
  auto oldest = std::min_element(open_.begin(), open_.end(), [](const auto& a, const auto& b) {
    return a.second->waiting_since < b.second->waiting_since;
  });
  if (oldest == open_.end()) return;
  epoll_ctl(epoll_, EPOLL_CTL_DEL, oldest->first, nullptr);
  open_.erase(oldest);
}

void ConnectionLoop::watch(std::unique_ptr<ServerConnection> connection, uint32_t events) {
  int socket = connection->socket();
  epoll_event event{events, {.fd = socket}};
  if (epoll_ctl(epoll_, EPOLL_CTL_ADD, socket, &event) != 0) return;  // closes it
  open_[socket] = std::move(connection);
}

void ConnectionLoop::on_readable(int socket) {
  auto it = open_.find(socket);
  if (it == open_.end()) return;
  ServerConnection& connection = *it->second;
  bool was_idle = connection.idle && connection.received().empty();
  ServerConnection::Io io = connection.pump(limits_.max_head_bytes);
  if (was_idle && !connection.received().empty()) {
    connection.idle = false;  // a new request started: it gets a whole header_timeout
    connection.deadline = now() + limits_.header_timeout;
  }
  bool head_complete = connection.received().find("\r\n\r\n") != std::string::npos;
  if (head_complete || io == ServerConnection::Io::kFull) {
    release(socket);
  } else if (io == ServerConnection::Io::kClosed) {
    epoll_ctl(epoll_, EPOLL_CTL_DEL, socket, nullptr);
    open_.erase(it);
  } else {
    epoll_event event{io == ServerConnection::Io::kWantWrite ? uint32_t{EPOLLOUT} : EPOLLIN,
                      {.fd = socket}};
    epoll_ctl(epoll_, EPOLL_CTL_MOD, socket, &event);
  }
}

void ConnectionLoop::release(int socket) {
  auto it = open_.find(socket);
  epoll_ctl(epoll_, EPOLL_CTL_DEL, socket, nullptr);
  std::unique_ptr<ServerConnection> connection = std::move(it->second);
  open_.erase(it);
  on_head_(std::move(connection));
}

void ConnectionLoop::take_back_returned() {
  uint64_t count = 0;
  [[maybe_unused]] auto read_bytes = read(wakeup_, &count, sizeof count);
  std::vector<std::unique_ptr<ServerConnection>> returned;
  {
    std::lock_guard lock(returned_mutex_);
    returned.swap(returned_);
  }
  for (auto& connection : returned) {
    // Bytes of a next request already here start its header_timeout; none, its idle_timeout.
    connection->idle = connection->received().empty();
    connection->waiting_since = now();
    connection->deadline = connection->waiting_since +
                           (connection->idle ? limits_.idle_timeout : limits_.header_timeout);
    if (connection->received().find("\r\n\r\n") != std::string::npos) {
      on_head_(std::move(connection));  // pipelined: the next head is already here
    } else {
      watch(std::move(connection), EPOLLIN);
    }
  }
}

void ConnectionLoop::close_expired() {
  SteadyTime at = now();
  for (auto it = open_.begin(); it != open_.end();) {
    if (it->second->deadline > at) {
      ++it;
      continue;
    }
    epoll_ctl(epoll_, EPOLL_CTL_DEL, it->first, nullptr);
    it = open_.erase(it);
  }
}

}  // namespace cdcwatch
