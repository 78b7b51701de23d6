#include "tests/support/http_test_server.h"

#include <httplib.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <regex>
#include <stdexcept>
#include <thread>

namespace cdcwatch::testing {

std::string RecordedRequest::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

struct HttpTestServer::Impl {
  struct Route {
    std::string method;
    std::regex path;
    Handler handler;
  };
  httplib::Server server;
  std::thread thread;
  mutable std::mutex mutex;
  std::vector<Route> routes;
  std::vector<RecordedRequest> requests;

  void handle(const httplib::Request& req, httplib::Response& res) {
    RecordedRequest recorded;
    recorded.method = req.method;
    recorded.path = req.path;
    recorded.body = req.body;
    for (const auto& [name, value] : req.params) recorded.query.emplace(name, value);
    for (const auto& [name, value] : req.headers) {
      std::string lower = name;
      std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
      recorded.headers.emplace(lower, value);
    }
    Handler handler;
    {
      std::lock_guard lock(mutex);
      requests.push_back(recorded);
      for (auto it = routes.rbegin(); it != routes.rend(); ++it) {
        if (it->method == req.method && std::regex_match(req.path, it->path)) {
          handler = it->handler;
          break;
        }
      }
    }
    TestReply reply =
        handler ? handler(recorded) : TestReply{404, R"({"error_code":404,"message":"not found"})"};
    if (reply.delay.count() > 0) std::this_thread::sleep_for(reply.delay);
    res.status = reply.status;
    for (const auto& [name, value] : reply.headers) res.set_header(name, value);
    res.set_content(reply.body, reply.content_type);
  }
};

HttpTestServer::HttpTestServer() : impl_(std::make_unique<Impl>()) {
  auto handler = [this](const httplib::Request& req, httplib::Response& res) {
    impl_->handle(req, res);
  };
  impl_->server.Get(".*", handler);
  impl_->server.Post(".*", handler);
  impl_->server.Put(".*", handler);
  impl_->server.Delete(".*", handler);
  impl_->server.set_payload_max_length(64 << 20);
}

HttpTestServer::~HttpTestServer() { stop(); }

void HttpTestServer::on(const std::string& method, const std::string& path_regex, Handler handler) {
  std::lock_guard lock(impl_->mutex);
  impl_->routes.push_back({method, std::regex(path_regex), std::move(handler)});
}

void HttpTestServer::start() {
  port_ = impl_->server.bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("HttpTestServer: cannot bind 127.0.0.1");
  impl_->thread = std::thread([this] { impl_->server.listen_after_bind(); });
  while (!impl_->server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

void HttpTestServer::stop() {
  if (!impl_->thread.joinable()) return;
  impl_->server.stop();
  impl_->thread.join();
}

std::vector<RecordedRequest> HttpTestServer::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->requests;
}

size_t HttpTestServer::request_count(const std::string& method, const std::string& path) const {
  std::lock_guard lock(impl_->mutex);
  return std::count_if(impl_->requests.begin(), impl_->requests.end(),
                       [&](const auto& r) { return r.method == method && r.path == path; });
}

void HttpTestServer::clear_requests() {
  std::lock_guard lock(impl_->mutex);
  impl_->requests.clear();
}

TestCertificate make_test_certificate(const std::string& dir) {
  TestCertificate out{dir + "/cert.pem", dir + "/key.pem"};
  std::string command =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
      "-addext subjectAltName=IP:127.0.0.1 -keyout " +
      out.key_file + " -out " + out.cert_file + " 2>/dev/null";
  if (std::system(command.c_str()) != 0) {
    throw std::runtime_error("make_test_certificate: openssl req failed in " + dir);
  }
  chmod(out.key_file.c_str(), 0600);
  return out;
}

}  // namespace cdcwatch::testing
