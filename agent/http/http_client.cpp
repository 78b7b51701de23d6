#include "agent/http/http_client.h"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <chrono>

#include "agent/core/text_case.h"
#include "agent/http/credential_redaction.h"
#include "agent/http/sigpipe_guard.h"

namespace cdcwatch {
namespace {

std::string describe(httplib::Error error) {
  switch (error) {
    case httplib::Error::Connection:
      return "connection refused or unreachable";
    case httplib::Error::Read:
      return "timeout or connection closed while reading";
    case httplib::Error::Write:
      return "connection closed while writing";
    case httplib::Error::SSLConnection:
      return "TLS handshake failed";
    case httplib::Error::SSLServerVerification:
      return "TLS certificate verification failed";
    case httplib::Error::Canceled:
      return "cancelled";
    default:
      return httplib::to_string(error);
  }
}

}  // namespace

std::optional<std::string> HttpResponse::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

std::optional<ParsedUrl> parse_url(const std::string& url) {
  ParsedUrl out;
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return std::nullopt;
  out.scheme = ascii_lower(url.substr(0, scheme_end));
  if (out.scheme != "http" && out.scheme != "https") return std::nullopt;
  size_t host_start = scheme_end + 3;
  size_t path_start = url.find('/', host_start);
  std::string authority = url.substr(host_start, path_start - host_start);
  out.path_and_query = path_start == std::string::npos ? "/" : url.substr(path_start);
  if (authority.empty() || authority.find('@') != std::string::npos) return std::nullopt;
  size_t colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']') == std::string::npos) {
    out.host = authority.substr(0, colon);
    std::string port = authority.substr(colon + 1);
    if (port.empty() || port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); })) {
      return std::nullopt;
    }
    out.port = std::stoi(port);
  } else {
    out.host = authority;
    out.port = out.scheme == "https" ? 443 : 80;
  }
  if (out.host.empty() || out.port <= 0 || out.port > 65535) return std::nullopt;
  return out;
}

namespace {

void configure(httplib::Client& client, const HttpRequest& request, const ParsedUrl& url,
               RequestWatchdog& watchdog) {
  // Each phase may use the whole budget; the watchdog ends the request at the total deadline.
  auto timeout = std::chrono::duration_cast<std::chrono::microseconds>(request.timeout).count();
  client.set_connection_timeout(timeout / 1'000'000, timeout % 1'000'000);
  client.set_read_timeout(timeout / 1'000'000, timeout % 1'000'000);
  client.set_write_timeout(timeout / 1'000'000, timeout % 1'000'000);
  client.set_keep_alive(false);
  client.set_socket_options([&watchdog](socket_t socket) { watchdog.watch(socket); });
  if (request.basic_auth)
    client.set_basic_auth(request.basic_auth->first, request.basic_auth->second);
  if (url.scheme == "https") {
    if (!request.ca_file.empty()) client.set_ca_cert_path(request.ca_file);
    client.enable_server_certificate_verification(true);
  }
}

httplib::Request build(const HttpRequest& request, const ParsedUrl& url) {
  httplib::Request req;
  req.method = request.method;
  req.path = url.path_and_query;
  for (const auto& [name, value] : request.headers) req.headers.emplace(name, value);
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
    req.body = request.body;
    req.headers.emplace("Content-Type", request.content_type);
  }
  return req;
}

HttpResponse exchange(const HttpRequest& request, const ParsedUrl& url) {
  SigpipeGuard no_sigpipe;  // a peer may close while the request is written
  HttpResponse response;
  RequestWatchdog watchdog(std::chrono::steady_clock::now() + request.timeout, request.canceller);
  if (watchdog.verdict() == RequestWatchdog::Verdict::kCancelled) {
    response.error = "cancelled";
    return response;
  }
  httplib::Client client(url.scheme + "://" + url.host + ":" + std::to_string(url.port));
  configure(client, request, url, watchdog);
  httplib::Request req = build(request, url);
  bool too_large = false;
  req.content_receiver = [&](const char* data, size_t length, uint64_t, uint64_t) {
    if (response.body.size() + length > request.max_body_bytes) return !(too_large = true);
    response.body.append(data, length);
    return true;
  };
  httplib::Response res;
  httplib::Error error = httplib::Error::Success;
  bool sent = client.send(req, res, error);
  RequestWatchdog::Verdict verdict = watchdog.verdict();
  if (too_large) {
    response.body_too_large = true;
    response.error =
        "response body larger than " + std::to_string(request.max_body_bytes) + " bytes";
  } else if (verdict == RequestWatchdog::Verdict::kDeadline) {
    // Even when cpp-httplib saw a complete answer: a body read to EOF may have been cut short.
    response.timed_out = true;
    response.error = "timeout after " + format_duration(request.timeout);
  } else if (verdict == RequestWatchdog::Verdict::kCancelled) {
    response.error = "cancelled";
  } else if (!sent) {
    response.error = describe(error);
  } else {
    response.status = res.status;
    for (const auto& [name, value] : res.headers)
      response.headers.emplace(ascii_lower(name), value);
  }
  return response;
}

}  // namespace

HttpResponse send_http(const HttpRequest& request) {
  auto url = parse_url(request.url);
  if (!url) {
    HttpResponse response;
    response.error = "invalid URL (expected http(s)://host[:port]/path)";
    return response;
  }
  HttpResponse response = exchange(request, *url);
  auto credentials = credentials_of(request);
  redact_credentials(response.body, credentials);
  redact_credentials(response.error, credentials);
  for (auto& [name, value] : response.headers) redact_credentials(value, credentials);
  return response;
}

std::string url_encode(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace cdcwatch
