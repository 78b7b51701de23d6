// The agent's HTTP endpoints (/metrics, /healthz, /readyz, /status). GET only: no endpoint
// changes state. Handlers must read cached state only; they run on the server's own threads.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace cdcwatch {

struct HttpReply {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

class HttpServer {
 public:
  using Handler = std::function<HttpReply()>;

  HttpServer();
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  void get(const std::string& path, Handler handler);
  // Binds "host:port" (port 0 picks a free one) and serves on a background thread.
  // Returns the bound port; throws std::runtime_error naming the address when it cannot bind.
  int start(const std::string& listen);
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Splits "host:port" ("[::1]:9720", "0.0.0.0:9720", ":9720"); nullopt-like port -1 on error.
std::pair<std::string, int> split_listen_address(const std::string& listen);

}  // namespace cdcwatch
