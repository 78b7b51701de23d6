// Key-pair authentication for Snowflake's SQL API: a JWT signed RS256 with the user's private key.
// Claims as Snowflake documents them
// (https://docs.snowflake.com/en/developer-guide/sql-api/authenticating):
//   iss = <ACCOUNT>.<USER>.SHA256:<base64 of the SHA-256 of the public key's DER
//   SubjectPublicKeyInfo> sub = <ACCOUNT>.<USER>, iat = now, exp = at most one hour later,
// with the account identifier uppercased and any region suffix of a locator dropped.
#pragma once

#include <openssl/evp.h>

#include <memory>
#include <string>
#include <string_view>

namespace cdcwatch {

class SnowflakeKey {
 public:
  // Reads an unencrypted PEM private key (PKCS#8 or PKCS#1). Throws std::runtime_error naming the
  // file and the fix; never includes key material.
  static SnowflakeKey load(const std::string& path);
  static SnowflakeKey from_pem(const std::string& pem, const std::string& where);

  // "SHA256:<base64>", as DESCRIBE USER shows it in RSA_PUBLIC_KEY_FP.
  std::string public_key_fingerprint() const;
  std::string sign_rs256(std::string_view data) const;

 private:
  explicit SnowflakeKey(std::shared_ptr<EVP_PKEY> key) : key_(std::move(key)) {}
  std::shared_ptr<EVP_PKEY> key_;
};

// The account as it goes into the JWT: uppercase, "xy12345.us-east-1" -> "XY12345"; for a
// replication URL ("org-account.global") the part before the first '-'.
std::string snowflake_jwt_account(const std::string& account);

std::string make_snowflake_jwt(const SnowflakeKey& key, const std::string& account,
                               const std::string& user, int64_t issued_at,
                               int64_t lifetime_seconds);

std::string base64_encode(std::string_view data);
std::string base64url_encode(std::string_view data);

}  // namespace cdcwatch
