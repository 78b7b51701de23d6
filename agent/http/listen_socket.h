// The endpoint server's listening socket, exclusive to this process: SO_REUSEADDR (a restart may
// bind while old connections linger in TIME_WAIT) but never SO_REUSEPORT, which Debian's
// cpp-httplib sets and which let a second agent share the port and split scrapes (issue 22).
#pragma once

#include <string>

namespace cdcwatch {

struct ListenSocket {
  int socket = -1;
  int port = 0;  // the bound port (port 0 asks for a free one)
};

// Throws std::runtime_error naming `listen` and the reason, e.g. the address is in use.
ListenSocket listen_exclusively(const std::string& host, int port, const std::string& listen);

}  // namespace cdcwatch
