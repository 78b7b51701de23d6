// Outgoing HTTP(S) for every peer (Kafka Connect REST, Snowflake SQL API, PagerDuty, webhooks).
// One blocking call per request with one total deadline (connect, TLS handshake, headers and
// body, enforced on the socket) and a body-size cap, so a peer that trickles bytes or sends 50 MB
// cannot hold a probe; an HttpCanceller cuts it short from another thread. What the peer sends
// back never holds the request's own credentials. Stateless and thread-safe; cpp-httplib is
// compiled only in the .cpp.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/core/units.h"
#include "agent/http/request_watchdog.h"

namespace cdcwatch {

struct HttpRequest {
  std::string method = "GET";
  std::string url;  // http://host:port/path?query or https://...
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string content_type = "application/json";
  Millis timeout{5000};  // whole exchange, connect to last byte
  std::optional<std::pair<std::string, std::string>> basic_auth;  // user, password
  std::string ca_file;                                            // extra CA bundle for https
  size_t max_body_bytes = 8 << 20;
  HttpCanceller* canceller = nullptr;  // optional; e.g. cancelled by the owning probe's stop()
};

struct HttpResponse {
  int status = 0;  // 0 when no HTTP answer arrived
  std::string body;
  std::multimap<std::string, std::string> headers;  // names lower-cased
  std::string error;  // transport problem: "timeout after 2s", "cancelled", "connection refused
                      // or unreachable", "response body larger than N bytes"
  bool body_too_large = false;  // more than max_body_bytes arrived: retrying will not help
  bool timed_out = false;       // the request's deadline passed before the answer was complete

  bool transport_ok() const { return error.empty() && status != 0; }
  bool success() const { return transport_ok() && status >= 200 && status < 300; }
  std::optional<std::string> header(const std::string& lower_name) const;
};

struct ParsedUrl {
  std::string scheme;  // http or https
  std::string host;
  int port = 0;
  std::string path_and_query;  // starts with '/'
};

// Nullopt when the URL is not http(s)://host[:port][/path].
std::optional<ParsedUrl> parse_url(const std::string& url);

// Body, headers and error have the request's credentials replaced by <redacted>.
HttpResponse send_http(const HttpRequest& request);

// Percent-encodes one path segment or query value.
std::string url_encode(const std::string& text);

}  // namespace cdcwatch
