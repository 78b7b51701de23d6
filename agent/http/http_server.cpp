#include "agent/http/http_server.h"

#include <httplib.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <map>
#include <stdexcept>

namespace cdcwatch {
namespace {

bool equal_constant_time(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::optional<std::string> decode_base64(const std::string& text) {
  if (text.empty() || text.size() % 4 != 0 || text.size() > 4096) return std::nullopt;
  std::string out(text.size() / 4 * 3, '\0');
  int length = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                               reinterpret_cast<const unsigned char*>(text.data()),
                               static_cast<int>(text.size()));
  if (length < 0) return std::nullopt;
  size_t padding = std::count(text.end() - 2, text.end(), '=');
  out.resize(static_cast<size_t>(length) - padding);
  return out;
}

}  // namespace

bool authorization_matches(const std::string& header, const HttpServerOptions& options) {
  if (!options.bearer_token.empty() && header.starts_with("Bearer ")) {
    return equal_constant_time(header.substr(7), options.bearer_token);
  }
  if (options.basic_auth && header.starts_with("Basic ")) {
    auto decoded = decode_base64(header.substr(6));
    return decoded && equal_constant_time(
                          *decoded, options.basic_auth->first + ":" + options.basic_auth->second);
  }
  return false;
}

struct HttpServer::Impl {
  std::map<std::string, Handler> routes;
  std::unique_ptr<httplib::Server> server;
  std::thread thread;
};

HttpServer::HttpServer() : impl_(std::make_unique<Impl>()) {}

HttpServer::~HttpServer() { stop(); }

void HttpServer::get(const std::string& path, Handler handler) {
  impl_->routes[path] = std::move(handler);
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

int HttpServer::start(const HttpServerOptions& options) {
  auto [host, port] = split_listen_address(options.listen);
  if (port < 0) {
    throw std::runtime_error("invalid listen address '" + options.listen + "' (use host:port)");
  }
  if (!options.tls_cert_file.empty()) {
    auto tls = std::make_unique<httplib::SSLServer>(options.tls_cert_file.c_str(),
                                                    options.tls_key_file.c_str());
    if (!tls->is_valid()) {
      throw std::runtime_error("cannot load TLS certificate " + options.tls_cert_file + " or key " +
                               options.tls_key_file +
                               ": check they are PEM files that match each other");
    }
    impl_->server = std::move(tls);
  } else {
    impl_->server = std::make_unique<httplib::Server>();
  }
  httplib::Server& server = *impl_->server;
  server.set_payload_max_length(16 * 1024);
  server.set_read_timeout(5, 0);
  server.set_write_timeout(5, 0);
  server.set_keep_alive_max_count(100);
  size_t workers = std::max<size_t>(1, options.max_connections);
  server.new_task_queue = [workers] { return new httplib::ThreadPool(workers); };

  bool needs_auth = options.basic_auth.has_value() || !options.bearer_token.empty();
  for (const auto& route : impl_->routes) {
    const std::string& path = route.first;
    const Handler& handler = route.second;
    bool is_public = std::find(options.public_paths.begin(), options.public_paths.end(), path) !=
                     options.public_paths.end();
    server.Get(path, [handler, needs_auth, is_public, options](const httplib::Request& req,
                                                               httplib::Response& res) {
      if (needs_auth && !is_public &&
          !authorization_matches(req.get_header_value("Authorization"), options)) {
        res.status = 401;
        res.set_header("WWW-Authenticate", options.bearer_token.empty()
                                               ? R"(Basic realm="cdcwatch")"
                                               : R"(Bearer realm="cdcwatch")");
        res.set_content("unauthorized\n", "text/plain; charset=utf-8");
        return;
      }
      HttpReply reply = handler();
      res.status = reply.status;
      res.set_content(reply.body, reply.content_type.c_str());
    });
  }

  int bound =
      port == 0 ? server.bind_to_any_port(host) : (server.bind_to_port(host, port) ? port : -1);
  if (bound < 0) {
    throw std::runtime_error(
        "cannot listen on " + options.listen +
        ": the port is in use or the address is not local; change agent.listen");
  }
  impl_->thread = std::thread([this] { impl_->server->listen_after_bind(); });
  return bound;
}

void HttpServer::stop() {
  if (!impl_ || !impl_->thread.joinable()) return;
  impl_->server->stop();
  impl_->thread.join();
}

}  // namespace cdcwatch
