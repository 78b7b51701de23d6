// The agent's HTTP endpoints (/metrics, /healthz, /readyz, /status). GET and HEAD only: no endpoint
// changes state. Optional TLS and basic or bearer auth; a bounded worker pool and request size.
// Handlers must read cached state only; they run on the server's own threads.
//
// Built on its own socket handling rather than cpp-httplib's server (issue 23): cpp-httplib 0.11
// gives a connection a worker from accept to close with only per-read timeouts, so 16 slowloris
// connections or 1,000 idle sockets starved /healthz. Here one event loop reads request heads
// under a total deadline (connection_loop.h); only complete requests reach the workers, and one
// worker is kept for /healthz and /readyz (request_workers.h). The listening socket is exclusive
// (listen_socket.h, issue 22).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "agent/core/units.h"

namespace cdcwatch {

struct HttpReply {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

struct HttpServerOptions {
  std::string listen = "0.0.0.0:9720";
  std::string tls_cert_file;  // both set: serve HTTPS only
  std::string tls_key_file;
  std::optional<std::pair<std::string, std::string>> basic_auth;  // username, password
  std::string bearer_token;
  size_t max_connections = 16;  // requests answered at once (workers); more wait in a queue
  Millis header_timeout{5000};  // total time to deliver a request head, TLS handshake included
  Millis idle_timeout{30000};   // a keep-alive connection's wait for its next request
  size_t max_open_connections = 4096;  // then the longest-waiting one is closed for a new one
  // Paths answered without credentials (liveness and readiness reveal nothing else).
  std::vector<std::string> public_paths = {"/healthz", "/readyz"};
};

class HttpServer {
 public:
  using Handler = std::function<HttpReply()>;

  HttpServer();
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  void get(const std::string& path, Handler handler);
  // Binds (port 0 picks a free one) and serves on background threads. Returns the bound port;
  // throws std::runtime_error naming the address or the TLS files when it cannot, such as when
  // another process listens on the address.
  int start(const HttpServerOptions& options);
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Splits "host:port" ("[::1]:9720", "0.0.0.0:9720", ":9720"); port -1 when malformed.
std::pair<std::string, int> split_listen_address(const std::string& listen);

// True when an Authorization header value carries the expected credentials (constant time).
bool authorization_matches(const std::string& header, const HttpServerOptions& options);

}  // namespace cdcwatch
