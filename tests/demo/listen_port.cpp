#include "tests/demo/listen_port.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace cdcwatch::demo {

bool port_free(const std::string& host, int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  // SO_REUSEADDR as every server sets it: a port whose old connections linger in TIME_WAIT is
  // free; one with a listener is not.
  int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  bool free = inet_pton(AF_INET, host.c_str(), &address.sin_addr) == 1 &&
              bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
              listen(fd, 1) == 0;
  close(fd);
  return free;
}

std::optional<int> first_free_port(const std::string& host, int preferred, int tries) {
  for (int port = preferred; port < preferred + tries && port <= 65535; ++port) {
    if (port_free(host, port)) return port;
  }
  return std::nullopt;
}

}  // namespace cdcwatch::demo
