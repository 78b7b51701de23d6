// A local HTTP server for tests that plays a vendor's API (Kafka Connect REST, Snowflake SQL API,
// PagerDuty Events v2): routes answer with whatever the test scripts, every request is recorded.
// Handlers run on the server's threads; requests() and the route table are guarded by a mutex.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace cdcwatch::testing {

struct RecordedRequest {
  std::string method;
  std::string path;                                 // without the query string
  std::multimap<std::string, std::string> query;    // decoded query parameters
  std::multimap<std::string, std::string> headers;  // names lower-cased
  std::string body;

  std::string header(const std::string& lower_name) const;
};

struct TestReply {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds delay{0};  // sleep before answering (a slow peer)
};

class HttpTestServer {
 public:
  using Handler = std::function<TestReply(const RecordedRequest&)>;

  HttpTestServer();
  ~HttpTestServer();
  HttpTestServer(const HttpTestServer&) = delete;
  HttpTestServer& operator=(const HttpTestServer&) = delete;

  // Routes by method and a regex on the path (no query); later routes win over earlier ones, so a
  // test can override a default answer. Unrouted requests get 404.
  void on(const std::string& method, const std::string& path_regex, Handler handler);
  void start();  // binds 127.0.0.1 on a free port
  void stop();
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  std::vector<RecordedRequest> requests() const;
  size_t request_count(const std::string& method, const std::string& path) const;
  void clear_requests();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

// A self-signed certificate for 127.0.0.1 and its key (mode 0600), written into `dir` by the
// openssl command; for TLS tests of the agent's endpoints and of peers.
struct TestCertificate {
  std::string cert_file, key_file;
};
TestCertificate make_test_certificate(const std::string& dir);

}  // namespace cdcwatch::testing
