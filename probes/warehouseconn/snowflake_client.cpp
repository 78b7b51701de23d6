#include "probes/warehouseconn/snowflake_client.h"

#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "agent/core/backoff.h"
#include "agent/http/http_client.h"
#include "probes/warehouseconn/json_member.h"

namespace cdcwatch {
namespace {

constexpr int64_t kTokenLifetime = 3600;
constexpr int64_t kRenewBefore = 300;

std::string new_request_id() {
  std::random_device random;
  std::uniform_int_distribution<int> hex(0, 15);
  std::string id = "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx";
  for (char& c : id) {
    if (c == 'x') c = "0123456789abcdef"[hex(random)];
    if (c == 'y') c = "89ab"[hex(random) % 4];
  }
  return id;
}

// Worth another try within the deadline: transport failures, 429 (rate limited), and the server
// and gateway errors 500, 502, 503, 504. A POST is resubmitted under its requestId with
// retry=true, which Snowflake runs at most once
// (https://docs.snowflake.com/en/developer-guide/sql-api/submitting-requests#resubmitting-a-request-to-execute-sql-statements).
// Not 408: Snowflake has cancelled the statement at its `timeout`, which is already the budget.
bool retryable(const HttpResponse& response) {
  if (!response.transport_ok()) return !response.body_too_large;
  switch (response.status) {
    case 429:
    case 500:
    case 502:
    case 503:
    case 504:
      return true;
    default:
      return false;
  }
}

// scheme://host[:port] of an absolute URL, lowercased, with the scheme's default port made
// explicit; empty when `url` is not absolute http(s).
std::string origin_of(const std::string& url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return "";
  std::string scheme = url.substr(0, scheme_end);
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "http" && scheme != "https") return "";
  size_t host_start = scheme_end + 3;
  size_t host_end = url.find_first_of("/?#", host_start);
  std::string host = url.substr(
      host_start, host_end == std::string::npos ? std::string::npos : host_end - host_start);
  for (char& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (host.empty() || host.find('@') != std::string::npos) return "";
  if (host.find(':') == std::string::npos) host += scheme == "https" ? ":443" : ":80";
  return scheme + "://" + host;
}

SqlRows failure(const HttpResponse& response, const std::string& url) {
  if (!response.transport_ok()) return {{}, "http", "Snowflake at " + url + ": " + response.error};
  auto body = nlohmann::json::parse(response.body, nullptr, false);
  std::string code = string_member(body, "code");
  std::string message = string_member(body, "message");
  std::string detail = "Snowflake answered " + std::to_string(response.status) +
                       (code.empty() ? "" : " (code " + code + ")") +
                       (message.empty() ? "" : ": " + message);
  if (response.status == 401 || response.status == 403) {
    return {
        {},
        "auth",
        detail +
            "; check account, user, and that the user's RSA_PUBLIC_KEY matches private_key_file"};
  }
  if (response.status == 422)
    return {{}, "query", detail + "; check the table, role and warehouse"};
  if (response.status == 408) {
    return {{},
            "timeout",
            detail +
                "; Snowflake cancelled the statement at its timeout: check the virtual "
                "warehouse is running and not queueing, or raise timeout"};
  }
  return {{}, "http", detail};
}

}  // namespace

std::optional<std::string> statement_status_url(const std::string& base_url,
                                                const std::string& status_url) {
  if (status_url.empty()) return std::nullopt;
  if (status_url.front() == '/') return base_url + status_url;
  std::string origin = origin_of(status_url);
  if (origin.empty() || origin != origin_of(base_url)) return std::nullopt;
  return status_url;
}

SqlRows parse_statement_rows(const std::string& text) {
  auto body = nlohmann::json::parse(text, nullptr, false);
  if (!body.is_object() || !body.contains("data") || !body["data"].is_array()) {
    return {{},
            "response",
            "Snowflake answered 200 without a data array; is url pointing at Snowflake?"};
  }
  SqlRows out;
  for (const auto& row : body["data"]) {
    if (!row.is_array()) return {{}, "response", "Snowflake answered a row that is not an array"};
    std::vector<std::optional<std::string>> cells;
    for (const auto& cell : row) {
      if (cell.is_null()) {
        cells.emplace_back(std::nullopt);
      } else if (cell.is_string()) {
        cells.emplace_back(cell.get<std::string>());
      } else {
        cells.emplace_back(cell.dump());
      }
    }
    out.rows.push_back(std::move(cells));
  }
  const auto* meta = body.contains("resultSetMetaData") ? &body["resultSetMetaData"] : nullptr;
  if (meta && meta->is_object() && meta->contains("rowType") && (*meta)["rowType"].is_array()) {
    for (const auto& column : (*meta)["rowType"])
      out.columns.push_back(string_member(column, "name"));
  }
  return out;
}

SnowflakeClient::SnowflakeClient(SnowflakeConfig config) : config_(std::move(config)) {}

std::string SnowflakeClient::token(int64_t now, bool renew) {
  if (!key_) key_ = SnowflakeKey::load(config_.private_key_file);
  if (renew || token_.empty() || now >= token_expires_ - kRenewBefore) {
    token_ = make_snowflake_jwt(*key_, config_.account, config_.user, now, kTokenLifetime);
    token_expires_ = now + kTokenLifetime;
  }
  return token_;
}

SqlRows SnowflakeClient::query(const std::string& statement,
                               const std::vector<std::string>& bindings, TimePoint deadline,
                               const Clock& clock) {
  auto now_seconds = [&] { return static_cast<int64_t>(to_unix_seconds(clock.now())); };
  // Retries sleep in real time, so the deadline is kept on the steady clock.
  auto until = std::chrono::steady_clock::now() + (deadline - clock.now());
  auto remaining = [&] {
    return std::chrono::duration_cast<Millis>(until - std::chrono::steady_clock::now());
  };
  nlohmann::json body = {{"statement", statement},
                         {"timeout", std::max<int64_t>(1, config_.timeout.count() / 1000)}};
  for (size_t i = 0; i < bindings.size(); ++i) {
    body["bindings"][std::to_string(i + 1)] = {{"type", "TEXT"}, {"value", bindings[i]}};
  }
  if (!config_.warehouse.empty()) body["warehouse"] = config_.warehouse;
  if (!config_.role.empty()) body["role"] = config_.role;
  Backoff backoff(Millis(250), Millis(4000));
  bool renewed = false, retrying = false;
  std::string url = config_.url + "/api/v2/statements?requestId=" + new_request_id();
  std::string method = "POST";
  while (true) {
    HttpRequest request;
    try {
      request.headers = {{"Authorization", "Bearer " + token(now_seconds(), false)},
                         {"X-Snowflake-Authorization-Token-Type", "KEYPAIR_JWT"},
                         {"Accept", "application/json"},
                         {"User-Agent", "cdcwatch"}};
    } catch (const std::exception& e) {
      return {{}, "config", e.what()};
    }
    request.method = method;
    request.url = url + (retrying && method == "POST" ? "&retry=true" : "");
    if (method == "POST") request.body = body.dump();
    request.timeout = std::max(Millis(100), remaining());
    HttpResponse response = send_http(request);

    if (response.transport_ok() && response.status == 200)
      return parse_statement_rows(response.body);
    if (response.transport_ok() && response.status == 202) {
      // Still running: poll the statement's status URL (GET /api/v2/statements/<handle>).
      // https://docs.snowflake.com/en/developer-guide/sql-api/handling-responses
      auto status = nlohmann::json::parse(response.body, nullptr, false);
      std::string status_url = string_member(status, "statementStatusUrl");
      if (status_url.empty() && status.is_object() && status.contains("statementHandle")) {
        status_url = "/api/v2/statements/" + string_member(status, "statementHandle");
      }
      auto next = statement_status_url(config_.url, status_url);
      if (!next) {
        return {{},
                "response",
                "Snowflake answered 202 without a statement status URL on " + config_.url +
                    " (got '" + status_url.substr(0, 200) +
                    "'); cdcwatch sends its token to the configured host only"};
      }
      method = "GET";
      url = *next;
    } else if (response.transport_ok() && response.status == 401 && !renewed) {
      renewed = true;
      token(now_seconds(), true);
      continue;
    } else if (!retryable(response)) {
      return failure(response, config_.url);
    } else {
      retrying = true;
    }
    Millis delay = backoff.next_delay();
    if (auto retry_after = response.header("retry-after")) {
      int64_t seconds = 0;
      std::from_chars(retry_after->data(), retry_after->data() + retry_after->size(), seconds);
      if (seconds > 0) delay = std::max(delay, Millis(seconds * 1000));
    }
    if (delay >= remaining()) {
      SqlRows out =
          response.status == 202
              ? SqlRows{{}, "timeout", "Snowflake statement still running at the deadline"}
              : failure(response, config_.url);
      out.error_message += " (gave up after retries within the deadline)";
      return out;
    }
    std::this_thread::sleep_for(delay);
  }
}

}  // namespace cdcwatch
