#include "agent/http/http_server.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <stdexcept>

#include "agent/http/connection_loop.h"
#include "agent/http/listen_socket.h"
#include "agent/http/request_head.h"
#include "agent/http/request_workers.h"

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

constexpr size_t kMaxHeadBytes = 16 * 1024;
constexpr int kMaxRequestsPerConnection = 100;
constexpr size_t kQueuedRequestsPerQueue = 256;
constexpr auto kWriteTimeout = std::chrono::seconds(5);
constexpr const char* kText = "text/plain; charset=utf-8";

const char* reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 413:
      return "Content Too Large";
    case 431:
      return "Request Header Fields Too Large";
    case 503:
      return "Service Unavailable";
    default:
      return status < 400 ? "OK" : status < 500 ? "Client Error" : "Server Error";
  }
}

// Each open connection costs a descriptor: raise the soft limit to the hard one (systemd's
// default soft limit is 1024) and keep room for the agent's own connections and files.
size_t open_connections_affordable() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 512;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = std::min<rlim_t>(limit.rlim_max, 65536);
    setrlimit(RLIMIT_NOFILE, &limit);
    getrlimit(RLIMIT_NOFILE, &limit);
  }
  constexpr rlim_t kKeptForTheAgent = 256;
  return limit.rlim_cur > 2 * kKeptForTheAgent ? limit.rlim_cur - kKeptForTheAgent
                                               : limit.rlim_cur / 2;
}

// A reply with the header fields some statuses need (WWW-Authenticate, Allow).
struct Answer {
  HttpReply reply;
  std::vector<std::pair<std::string, std::string>> fields;
};

// HEAD gets the fields GET would (RFC 9110 section 9.3.2) without the body.
std::string serialize(const Answer& answer, bool keep_alive, bool with_body) {
  const HttpReply& reply = answer.reply;
  std::string out = "HTTP/1.1 " + std::to_string(reply.status) + " " + reason_phrase(reply.status) +
                    "\r\nContent-Type: " + reply.content_type +
                    "\r\nContent-Length: " + std::to_string(reply.body.size()) +
                    "\r\nConnection: " + (keep_alive ? "keep-alive" : "close") + "\r\n";
  for (const auto& [name, value] : answer.fields) out += name + ": " + value + "\r\n";
  return out + "\r\n" + (with_body ? reply.body : "");
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
  HttpServerOptions options;
  SSL_CTX* tls = nullptr;
  std::atomic<bool> stopping = false;
  std::unique_ptr<RequestWorkers> workers;
  std::unique_ptr<ConnectionLoop> loop;
  std::thread loop_thread;

  ~Impl() { SSL_CTX_free(tls); }
  void on_head(std::unique_ptr<ServerConnection> connection);
  void answer(std::unique_ptr<ServerConnection> connection);
  Answer reply_to(const HeadParse& parsed) const;
  bool is_public(const std::string& path) const;
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

bool HttpServer::Impl::is_public(const std::string& path) const {
  return std::find(options.public_paths.begin(), options.public_paths.end(), path) !=
         options.public_paths.end();
}

Answer HttpServer::Impl::reply_to(const HeadParse& parsed) const {
  if (!parsed.head) return {{parsed.refusal_status, kText, "request refused\n"}, {}};
  const RequestHead& head = *parsed.head;
  if (head.method != "GET" && head.method != "HEAD") {
    return {{405, kText, "only GET and HEAD are served\n"}, {{"Allow", "GET, HEAD"}}};
  }
  auto route = routes.find(head.path);
  if (route == routes.end()) return {{404, kText, "not found\n"}, {}};
  bool needs_auth = options.basic_auth.has_value() || !options.bearer_token.empty();
  if (needs_auth && !is_public(head.path) &&
      !authorization_matches(head.field("authorization"), options)) {
    return {{401, kText, "unauthorized\n"},
            {{"WWW-Authenticate", options.bearer_token.empty() ? R"(Basic realm="cdcwatch")"
                                                               : R"(Bearer realm="cdcwatch")"}}};
  }
  return {route->second(), {}};
}

void HttpServer::Impl::on_head(std::unique_ptr<ServerConnection> connection) {
  HeadParse parsed = parse_request_head(connection->received(), kMaxHeadBytes);
  bool health_check = parsed.head && is_public(parsed.head->path);
  workers->submit(std::move(connection), health_check);  // refused: closed, the client retries
}

void HttpServer::Impl::answer(std::unique_ptr<ServerConnection> connection) {
  HeadParse parsed = parse_request_head(connection->received(), kMaxHeadBytes);
  Answer reply = reply_to(parsed);
  bool keep_alive = parsed.head && parsed.head->keep_alive &&
                    ++connection->requests_served < kMaxRequestsPerConnection;
  auto deadline = std::chrono::steady_clock::now() + kWriteTimeout;
  bool with_body = !parsed.head || parsed.head->method != "HEAD";
  if (!connection->write_all(serialize(reply, keep_alive, with_body), deadline, stopping) ||
      !keep_alive) {
    return;  // closes it
  }
  connection->received().erase(0, parsed.head->length);
  loop->give_back(std::move(connection));
}

int HttpServer::start(const HttpServerOptions& options) {
  auto [host, port] = split_listen_address(options.listen);
  if (port < 0) {
    throw std::runtime_error("invalid listen address '" + options.listen + "' (use host:port)");
  }
  impl_->options = options;
  if (!options.tls_cert_file.empty()) {
    impl_->tls = make_server_tls(options.tls_cert_file, options.tls_key_file);
  }
  ListenSocket listener = listen_exclusively(host, port, options.listen);
  ConnectionLimits limits{options.header_timeout, options.idle_timeout, kMaxHeadBytes,
                          std::min(options.max_open_connections, open_connections_affordable())};
  Impl* impl = impl_.get();
  impl->workers =
      std::make_unique<RequestWorkers>(options.max_connections, kQueuedRequestsPerQueue,
                                       [impl](std::unique_ptr<ServerConnection> connection) {
                                         impl->answer(std::move(connection));
                                       });
  impl->loop = std::make_unique<ConnectionLoop>(
      listener.socket, impl->tls, limits, [impl](std::unique_ptr<ServerConnection> connection) {
        impl->on_head(std::move(connection));
      });
  impl->loop_thread = std::thread([impl] { impl->loop->run(); });
  return listener.port;
}

void HttpServer::stop() {
  if (!impl_ || !impl_->loop_thread.joinable()) return;
  impl_->stopping = true;
  impl_->loop->stop();
  impl_->loop_thread.join();
  impl_->workers->stop();
  impl_->workers.reset();
  impl_->loop.reset();
}

}  // namespace cdcwatch
