// The endpoint server under the attacks of issue 23 (slowloris, an idle-socket flood), its
// per-connection deadlines, keep-alive, TLS and auth, and its exclusive listen (issue 22).
#include "agent/http/http_server.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>

#include "agent/http/http_client.h"
#include "agent/http/request_head.h"
#include "tests/support/child_process.h"
#include "tests/support/eventually.h"
#include "tests/support/http_test_server.h"
#include "tests/support/slow_http_clients.h"

namespace cdcwatch {
namespace {

using namespace std::chrono_literals;
using testing::SlowHttpClients;

// The agent's four endpoints, with /metrics behind bearer auth as an operator would run it.
class Endpoints {
 public:
  explicit Endpoints(HttpServerOptions options = {}) {
    server_.get("/healthz", [] { return HttpReply{200, "text/plain", "ok\n"}; });
    server_.get("/readyz", [] { return HttpReply{200, "text/plain", "ready\n"}; });
    server_.get("/metrics", [] { return HttpReply{200, "text/plain", "cdcwatch_build_info 1\n"}; });
    options.listen = "127.0.0.1:0";
    options.bearer_token = "Scr4peT0ken";
    port_ = server_.start(options);
  }
  int port() const { return port_; }
  std::string url(const std::string& path, const std::string& scheme = "http") const {
    return scheme + "://127.0.0.1:" + std::to_string(port_) + path;
  }
  HttpRequest scrape() const {
    return {.url = url("/metrics"),
            .headers = {{"Authorization", "Bearer Scr4peT0ken"}},
            .timeout = 30s};
  }

 private:
  HttpServer server_;
  int port_ = 0;
};

// Reads until the peer closes or `want` bytes are in; the bytes read.
std::string read_some(int socket_fd, size_t want, std::chrono::milliseconds limit = 20s) {
  std::string got;
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (got.size() < want && std::chrono::steady_clock::now() < deadline) {
    pollfd entry{socket_fd, POLLIN, 0};
    if (poll(&entry, 1, 50) <= 0) continue;
    char buffer[4096];
    ssize_t n = recv(socket_fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    got.append(buffer, static_cast<size_t>(n));
  }
  return got;
}

bool closed_by_peer(int socket_fd) {
  pollfd entry{socket_fd, POLLIN, 0};
  char byte;
  return testing::eventually(
      [&] { return poll(&entry, 1, 0) > 0 && recv(socket_fd, &byte, 1, MSG_DONTWAIT) <= 0; });
}

TEST(HttpServerUnderAttack, SlowlorisBeyondMaxConnectionsLeavesHealthAndMetricsAnswering) {
  Endpoints endpoints({.max_connections = 4, .header_timeout = 60s});
  SlowHttpClients loris(endpoints.port(), 50, SlowHttpClients::Kind::kSlowloris, 1s);
  ASSERT_TRUE(testing::eventually([&] { return loris.lines_sent() >= 2 * loris.count(); }))
      << "the slowloris is under way";
  for (int round = 0; round < 3; ++round) {
    EXPECT_EQ(send_http({.url = endpoints.url("/healthz"), .timeout = 30s}).body, "ok\n");
    EXPECT_EQ(send_http({.url = endpoints.url("/readyz"), .timeout = 30s}).status, 200);
    HttpResponse metrics = send_http(endpoints.scrape());
    EXPECT_EQ(metrics.status, 200) << metrics.error;
  }
  EXPECT_EQ(loris.closed_by_server(), 0u) << "answered while every slow head was still open";
}

TEST(HttpServerUnderAttack, ThousandIdleSocketsLeaveHealthAndMetricsAnswering) {
  testing::raise_descriptor_limit();
  Endpoints endpoints({.max_connections = 4, .header_timeout = 60s});
  SlowHttpClients idle(endpoints.port(), 1000, SlowHttpClients::Kind::kIdle);
  for (int round = 0; round < 3; ++round) {
    EXPECT_EQ(send_http({.url = endpoints.url("/healthz"), .timeout = 30s}).body, "ok\n");
    HttpResponse metrics = send_http(endpoints.scrape());
    EXPECT_EQ(metrics.status, 200) << metrics.error;
  }
}

TEST(HttpServerUnderAttack, AFloodBeyondTheOpenLimitClosesTheLongestWaitingNotNewcomers) {
  Endpoints endpoints({.header_timeout = 60s, .max_open_connections = 100});
  SlowHttpClients idle(endpoints.port(), 300, SlowHttpClients::Kind::kIdle);
  EXPECT_EQ(send_http({.url = endpoints.url("/healthz"), .timeout = 30s}).body, "ok\n");
  EXPECT_GE(idle.closed_by_server(), 200u);
}

TEST(HttpServerDeadlines, AHeadTrickledOneLineAtATimeIsCutAtTheTotalHeaderTimeout) {
  Endpoints endpoints({.header_timeout = 1s});
  // A line every 300 ms never lets a per-read timeout fire; only a total deadline ends it.
  SlowHttpClients loris(endpoints.port(), 3, SlowHttpClients::Kind::kSlowloris, 300ms);
  EXPECT_TRUE(testing::eventually([&] { return loris.closed_by_server() == 3; }));
}

TEST(HttpServerDeadlines, AnIdleKeepAliveConnectionIsClosedAfterIdleTimeout) {
  Endpoints endpoints({.idle_timeout = 500ms});
  int socket_fd = testing::connect_loopback(endpoints.port());
  std::string request = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  send(socket_fd, request.data(), request.size(), 0);
  std::string reply = read_some(socket_fd, 1);
  EXPECT_TRUE(reply.starts_with("HTTP/1.1 200 OK\r\n")) << reply;
  EXPECT_TRUE(closed_by_peer(socket_fd));
  close(socket_fd);
}

TEST(HttpServerKeepAlive, AnswersSeveralAndPipelinedRequestsOnOneConnection) {
  Endpoints endpoints;
  int socket_fd = testing::connect_loopback(endpoints.port());
  std::string two = "GET /healthz HTTP/1.1\r\n\r\nGET /readyz HTTP/1.1\r\n\r\n";
  send(socket_fd, two.data(), two.size(), 0);
  std::string replies;
  ASSERT_TRUE(testing::eventually([&] {
    replies += read_some(socket_fd, 1, 100ms);
    return replies.find("ready\n") != std::string::npos;
  }));
  EXPECT_NE(replies.find("ok\n"), std::string::npos);
  std::string third = "GET /metrics HTTP/1.1\r\nConnection: close\r\n\r\n";
  send(socket_fd, third.data(), third.size(), 0);
  std::string last = read_some(socket_fd, 1 << 20);
  EXPECT_TRUE(last.starts_with("HTTP/1.1 401 Unauthorized\r\n")) << last;
  EXPECT_NE(last.find("WWW-Authenticate: Bearer"), std::string::npos) << last;
  EXPECT_NE(last.find("Connection: close"), std::string::npos) << last;
  close(socket_fd);
}

TEST(HttpServerRequests, RefusesWritesBodiesAndOversizedHeadsAnswersHeadAndKeepsServing) {
  Endpoints endpoints;
  struct Case {
    std::string request;
    std::string status_line;
  } cases[] = {
      {"POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n", "HTTP/1.1 405 "},
      {"GET /metrics HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", "HTTP/1.1 413 "},
      {"GET /metrics HTTP/1.1\r\nX: " + std::string(20000, 'y') + "\r\n\r\n", "HTTP/1.1 431 "},
      {"NONSENSE\r\n\r\n", "HTTP/1.1 400 "},
      {"GET /nowhere HTTP/1.1\r\n\r\n", "HTTP/1.1 404 "},
      {"HEAD /healthz HTTP/1.1\r\nConnection: close\r\n\r\n",
       "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: "
       "close\r\n\r\n"},
  };
  for (const auto& c : cases) {
    int socket_fd = testing::connect_loopback(endpoints.port());
    send(socket_fd, c.request.data(), c.request.size(), MSG_NOSIGNAL);
    bool head = c.request.starts_with("HEAD");  // read to the close: nothing follows the fields
    std::string reply = read_some(socket_fd, head ? 1 << 20 : c.status_line.size());
    EXPECT_TRUE(reply.starts_with(c.status_line)) << c.request.substr(0, 40) << "\n" << reply;
    if (head) EXPECT_EQ(reply, c.status_line) << "no body after HEAD";
    close(socket_fd);
  }
  EXPECT_EQ(send_http({.url = endpoints.url("/healthz")}).body, "ok\n");
}

TEST(RequestHead, ParsesTheRequestLineFieldsAndConnectionPersistence) {
  struct Case {
    std::string bytes;
    bool complete;
    int refusal;
    std::string path;
    bool keep_alive;
  } cases[] = {
      {"GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\n\r\n", true, 0, "/metrics", true},
      {"GET /metrics HTTP/1.1\r\nConnection: close\r\n\r\n", true, 0, "/metrics", false},
      {"GET /healthz HTTP/1.0\r\n\r\n", true, 0, "/healthz", false},
      {"GET /healthz HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true, 0, "/healthz", true},
      {"GET /metrics HTTP/1.1\r\nHost: a\r\n", false, 0, "", false},
      {"GET /metrics HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", true, 413, "", false},
      {"GET /metrics HTTP/1.1\r\n folded: line\r\n\r\n", true, 400, "", false},
      {"GET metrics HTTP/1.1\r\n\r\n", true, 400, "", false},
      {"GET /metrics HTTP/2.0\r\n\r\n", true, 400, "", false},
      {"GET /metrics HTTP/1.1\r\nX: " + std::string(100, 'y'), true, 431, "", false},
  };
  for (const auto& c : cases) {
    HeadParse parsed = parse_request_head(c.bytes, 64);
    EXPECT_EQ(parsed.complete, c.complete) << c.bytes;
    EXPECT_EQ(parsed.refusal_status, c.refusal) << c.bytes;
    if (c.complete && c.refusal == 0) {
      ASSERT_TRUE(parsed.head) << c.bytes;
      EXPECT_EQ(parsed.head->path, c.path);
      EXPECT_EQ(parsed.head->keep_alive, c.keep_alive) << c.bytes;
      EXPECT_EQ(parsed.head->length, c.bytes.size());
    }
  }
}

TEST(HttpServerTls, ServesHttpsWithAuthWhileHandshakesStall) {
  testing::TempDir dir;
  auto [cert, key] = testing::make_test_certificate(dir.path());
  Endpoints endpoints({.tls_cert_file = cert, .tls_key_file = key, .max_connections = 2});
  // Connections that never send a ClientHello hold no worker and no handshake slot.
  SlowHttpClients stalled(endpoints.port(), 100, SlowHttpClients::Kind::kIdle);
  HttpRequest scrape = endpoints.scrape();
  scrape.url = endpoints.url("/metrics", "https");
  scrape.ca_file = cert;
  HttpResponse ok = send_http(scrape);
  EXPECT_EQ(ok.status, 200) << ok.error;
  EXPECT_EQ(ok.body, "cdcwatch_build_info 1\n");
  scrape.headers.clear();
  EXPECT_EQ(send_http(scrape).status, 401);
  EXPECT_EQ(send_http({.url = endpoints.url("/healthz", "https"), .ca_file = cert}).status, 200);
  EXPECT_FALSE(send_http({.url = endpoints.url("/healthz")}).success()) << "no plain HTTP";
}

TEST(HttpServerTls, AHandshakeNeverStartedIsClosedAtTheHeaderTimeout) {
  testing::TempDir dir;
  auto [cert, key] = testing::make_test_certificate(dir.path());
  Endpoints endpoints({.tls_cert_file = cert, .tls_key_file = key, .header_timeout = 1s});
  SlowHttpClients stalled(endpoints.port(), 3, SlowHttpClients::Kind::kIdle);
  EXPECT_TRUE(testing::eventually([&] { return stalled.closed_by_server() == 3; }));
}

TEST(HttpServerTls, MismatchedKeyFailsStartNamingTheFiles) {
  testing::TempDir dir;
  std::string other = dir.file("other.pem");
  auto [cert, key] = testing::make_test_certificate(dir.path());
  ASSERT_EQ(std::system(("openssl genrsa -out " + other + " 2048 2>/dev/null").c_str()), 0);
  HttpServer server;
  try {
    server.start({.listen = "127.0.0.1:0", .tls_cert_file = cert, .tls_key_file = other});
    ADD_FAILURE() << "started with a key that does not match the certificate";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(other), std::string::npos) << e.what();
  }
}

TEST(HttpServerListen, ASecondServerOnABusyAddressFailsNamingIt) {
  Endpoints first;
  std::string address = "127.0.0.1:" + std::to_string(first.port());
  HttpServer second;
  try {
    second.start({.listen = address});
    ADD_FAILURE() << "a second server shares " << address;
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot listen on " + address), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("already in use"), std::string::npos) << e.what();
  }
  EXPECT_EQ(send_http({.url = first.url("/healthz")}).body, "ok\n") << "the first keeps serving";
}

}  // namespace
}  // namespace cdcwatch
