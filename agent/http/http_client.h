// Outgoing HTTP(S) for every peer (Kafka Connect REST, Snowflake SQL API, PagerDuty, webhooks).
// One blocking call per request with a total deadline and a body-size cap, so a peer that
// trickles bytes or sends 50 MB cannot hold a probe. Stateless and thread-safe; cpp-httplib is
// compiled only in the .cpp.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/core/units.h"

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
};

struct HttpResponse {
  int status = 0;  // 0 when no HTTP answer arrived
  std::string body;
  std::multimap<std::string, std::string> headers;  // names lower-cased
  std::string error;  // transport problem: "timeout", "connection refused", "response body larger
                      // than N bytes"
  bool body_too_large = false;  // more than max_body_bytes arrived: retrying will not help

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

HttpResponse send_http(const HttpRequest& request);

// Percent-encodes one path segment or query value.
std::string url_encode(const std::string& text);

}  // namespace cdcwatch
