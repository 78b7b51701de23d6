#include "agent/http/credential_redaction.h"

#include <openssl/evp.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "agent/core/text_case.h"

namespace cdcwatch {
namespace {

// Shorter values would redact ordinary words of a body; no credential the agent accepts is shorter.
constexpr size_t kShortestRedacted = 4;

std::string encode_base64(const std::string& text) {
  std::string out(4 * ((text.size() + 2) / 3) + 1, '\0');
  int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                               reinterpret_cast<const unsigned char*>(text.data()),
                               static_cast<int>(text.size()));
  out.resize(static_cast<size_t>(length));
  return out;
}

bool carries_credential(const std::string& header_name) {
  std::string name = ascii_lower(header_name);
  if (name == "authorization" || name == "proxy-authorization" || name == "cookie") return true;
  if (name.ends_with("-type")) return false;  // X-Snowflake-Authorization-Token-Type: KEYPAIR_JWT
  return name.find("token") != std::string::npos || name.find("api-key") != std::string::npos ||
         name.find("secret") != std::string::npos;
}

void add_with_encodings(std::vector<std::string>& out, const std::string& secret) {
  if (secret.size() < kShortestRedacted) return;
  out.push_back(secret);
  std::string json =
      nlohmann::json(secret).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  out.push_back(json.substr(1, json.size() - 2));
  out.push_back(url_encode(secret));
}

}  // namespace

std::vector<std::string> credentials_of(const HttpRequest& request) {
  std::vector<std::string> out;
  if (request.basic_auth) {
    const auto& [user, password] = *request.basic_auth;
    add_with_encodings(out, user + ":" + password);
    add_with_encodings(out, encode_base64(user + ":" + password));
    add_with_encodings(out, password);
  }
  for (const auto& [name, value] : request.headers) {
    if (!carries_credential(name)) continue;
    add_with_encodings(out, value);
    size_t space = value.find(' ');  // "Bearer <token>", "Basic <base64>"
    if (space != std::string::npos) add_with_encodings(out, value.substr(space + 1));
  }
  // Longest first, so a value is not left half redacted by a shorter one inside it.
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.size() > b.size(); });
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void redact_credentials(std::string& text, const std::vector<std::string>& credentials) {
  static const std::string kRedacted = "<redacted>";
  for (const auto& secret : credentials) {
    for (size_t at = text.find(secret); at != std::string::npos;
         at = text.find(secret, at + kRedacted.size())) {
      text.replace(at, secret.size(), kRedacted);
    }
  }
}

}  // namespace cdcwatch
