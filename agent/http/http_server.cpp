#include "agent/http/http_server.h"

#include <httplib.h>

#include <stdexcept>

namespace cdcwatch {

struct HttpServer::Impl {
  httplib::Server server;
  std::thread thread;
};

HttpServer::HttpServer() : impl_(std::make_unique<Impl>()) {
  impl_->server.set_payload_max_length(64 * 1024);
  impl_->server.set_read_timeout(5, 0);
  impl_->server.set_write_timeout(5, 0);
  impl_->server.set_keep_alive_max_count(100);
}

HttpServer::~HttpServer() { stop(); }

void HttpServer::get(const std::string& path, Handler handler) {
  impl_->server.Get(path, [handler = std::move(handler)](const httplib::Request&,
                                                         httplib::Response& res) {
    HttpReply reply = handler();
    res.status = reply.status;
    res.set_content(reply.body, reply.content_type.c_str());
  });
}

std::pair<std::string, int> split_listen_address(const std::string& listen) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return {"", -1};
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) host = "0.0.0.0";
  try {
    size_t used = 0;
    int port = std::stoi(listen.substr(colon + 1), &used);
    if (used != listen.size() - colon - 1 || port < 0 || port > 65535) return {host, -1};
    return {host, port};
  } catch (const std::exception&) {
    return {host, -1};
  }
}

int HttpServer::start(const std::string& listen) {
  auto [host, port] = split_listen_address(listen);
  if (port < 0) throw std::runtime_error("invalid listen address '" + listen + "' (use host:port)");
  int bound = port == 0 ? impl_->server.bind_to_any_port(host)
                        : (impl_->server.bind_to_port(host, port) ? port : -1);
  if (bound < 0) {
    throw std::runtime_error("cannot listen on " + listen +
                             ": the port is in use or the address is not local; change agent.listen");
  }
  impl_->thread = std::thread([this] { impl_->server.listen_after_bind(); });
  return bound;
}

void HttpServer::stop() {
  if (!impl_ || !impl_->thread.joinable()) return;
  impl_->server.stop();
  impl_->thread.join();
}

}  // namespace cdcwatch
