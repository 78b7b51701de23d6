#include "tests/support/slow_http_clients.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace cdcwatch::testing {

int connect_loopback(int port) {
  int socket_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (socket_fd < 0 ||
      connect(socket_fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    if (socket_fd >= 0) close(socket_fd);
    throw std::runtime_error("SlowHttpClients: cannot connect to 127.0.0.1:" +
                             std::to_string(port));
  }
  return socket_fd;
}

SlowHttpClients::SlowHttpClients(int port, size_t count, Kind kind, std::chrono::milliseconds every)
    : every_(every) {
  for (size_t i = 0; i < count; ++i) sockets_.push_back(connect_loopback(port));
  closed_.assign(count, false);
  if (kind == Kind::kSlowloris) thread_ = std::thread([this] { trickle(); });
}

SlowHttpClients::~SlowHttpClients() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  for (int socket_fd : sockets_) close(socket_fd);
}

void SlowHttpClients::trickle() {
  static const std::string kRequestLine = "GET /metrics HTTP/1.1\r\n";
  for (int socket_fd : sockets_)
    send(socket_fd, kRequestLine.data(), kRequestLine.size(), MSG_NOSIGNAL);
  for (size_t line = 0; !stopping_; ++line) {
    auto next = std::chrono::steady_clock::now() + every_;
    while (!stopping_ && std::chrono::steady_clock::now() < next) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::string header = "X-Slow-" + std::to_string(line) + ": still coming\r\n";
    for (int socket_fd : sockets_) {
      if (send(socket_fd, header.data(), header.size(), MSG_NOSIGNAL | MSG_DONTWAIT) > 0) {
        ++lines_sent_;
      }
    }
  }
}

size_t SlowHttpClients::closed_by_server() {
  size_t closed = 0;
  for (size_t i = 0; i < sockets_.size(); ++i) {
    if (!closed_[i]) {
      pollfd entry{sockets_[i], POLLIN, 0};
      char byte;
      closed_[i] = poll(&entry, 1, 0) > 0 && recv(sockets_[i], &byte, 1, MSG_DONTWAIT) <= 0;
    }
    closed += closed_[i] ? 1 : 0;
  }
  return closed;
}

void raise_descriptor_limit() {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
}

}  // namespace cdcwatch::testing
