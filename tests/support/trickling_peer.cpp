#include "tests/support/trickling_peer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace cdcwatch::testing {

using namespace std::chrono_literals;

TricklingPeer::TricklingPeer(std::string prefix, std::string trickle,
                             std::chrono::milliseconds every)
    : prefix_(std::move(prefix)), trickle_(std::move(trickle)), every_(every) {
  listener_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      listen(listener_, 16) != 0 ||
      getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error("TricklingPeer: cannot listen on 127.0.0.1");
  }
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { serve(); });
}

TricklingPeer::~TricklingPeer() {
  stopping_ = true;
  thread_.join();
  close(listener_);
}

std::string TricklingPeer::url(const std::string& scheme) const {
  return scheme + "://127.0.0.1:" + std::to_string(port_);
}

bool TricklingPeer::wait_readable(int socket_fd, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  pollfd entry{socket_fd, POLLIN, 0};
  while (!stopping_ && std::chrono::steady_clock::now() < deadline) {
    if (poll(&entry, 1, 20) > 0) return true;
  }
  return false;
}

void TricklingPeer::serve() {
  while (!stopping_) {
    if (!wait_readable(listener_, 1h)) continue;
    int connection = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (connection < 0) continue;
    ++accepted_;
    serve_one(connection);
    close(connection);
  }
}

void TricklingPeer::serve_one(int connection) {
  std::string head;
  char buffer[4096];
  while (head.find("\r\n\r\n") == std::string::npos && wait_readable(connection, 1h)) {
    ssize_t got = recv(connection, buffer, sizeof buffer, 0);
    if (got <= 0) return;
    head.append(buffer, static_cast<size_t>(got));
  }
  if (send(connection, prefix_.data(), prefix_.size(), MSG_NOSIGNAL) < 0) return;
  for (char byte : trickle_) {
    // A client that gave up has closed: its end becomes readable (EOF) before the next byte.
    if (wait_readable(connection, every_)) {
      if (recv(connection, buffer, sizeof buffer, MSG_DONTWAIT) <= 0) return;
    }
    if (stopping_ || send(connection, &byte, 1, MSG_NOSIGNAL) != 1) return;
    ++trickled_;
  }
  while (wait_readable(connection, 1h) && recv(connection, buffer, sizeof buffer, 0) > 0) {
  }
}

}  // namespace cdcwatch::testing
