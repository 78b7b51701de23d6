#include "agent/http/listen_socket.h"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace cdcwatch {
namespace {

constexpr int kBacklog = 1024;

int bound_port(int socket) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  getsockname(socket, reinterpret_cast<sockaddr*>(&address), &length);
  return address.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&address)->sin6_port)
                                       : ntohs(reinterpret_cast<sockaddr_in*>(&address)->sin_port);
}

std::string why(int error) {
  if (error == EADDRINUSE) {
    return "the address is already in use (another cdcwatch or another program listens there); "
           "stop it or change agent.listen";
  }
  if (error == EADDRNOTAVAIL) return "the address is not local to this host; change agent.listen";
  if (error == EACCES) return "permission denied (ports below 1024 need privileges)";
  return std::strerror(error);
}

}  // namespace

ListenSocket listen_exclusively(const std::string& host, int port, const std::string& listen) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  std::string service = std::to_string(port);
  if (int error = getaddrinfo(host.c_str(), service.c_str(), &hints, &found); error != 0) {
    throw std::runtime_error("cannot listen on " + listen + ": " + gai_strerror(error));
  }
  int socket_fd = ::socket(found->ai_family, found->ai_socktype | SOCK_CLOEXEC, 0);
  int yes = 1;
  bool ok =
      socket_fd >= 0 && setsockopt(socket_fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes) == 0 &&
      bind(socket_fd, found->ai_addr, found->ai_addrlen) == 0 && ::listen(socket_fd, kBacklog) == 0;
  int error = errno;
  freeaddrinfo(found);
  if (!ok) {
    if (socket_fd >= 0) close(socket_fd);
    throw std::runtime_error("cannot listen on " + listen + ": " + why(error));
  }
  return {socket_fd, bound_port(socket_fd)};
}

}  // namespace cdcwatch
