#include "probes/warehouseconn/snowflake_jwt.h"

#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "agent/core/file_permissions.h"
#include "agent/core/text_case.h"

namespace cdcwatch {

std::string base64_encode(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3), '\0');
  int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                               reinterpret_cast<const unsigned char*>(data.data()),
                               static_cast<int>(data.size()));
  out.resize(static_cast<size_t>(length));
  return out;
}

std::string base64url_encode(std::string_view data) {
  std::string out = base64_encode(data);
  while (!out.empty() && out.back() == '=') out.pop_back();
  std::replace(out.begin(), out.end(), '+', '-');
  std::replace(out.begin(), out.end(), '/', '_');
  return out;
}

SnowflakeKey SnowflakeKey::load(const std::string& path) {
  if (auto problem = private_key_file_problem(path)) {
    throw std::runtime_error("Snowflake private_key_file: " + *problem);
  }
  std::ifstream file(path);
  if (!file) {
    throw std::runtime_error(
        "cannot read the Snowflake private key file " + path +
        ": check canaries[].warehouse.snowflake.private_key_file and its permissions");
  }
  std::stringstream pem;
  pem << file.rdbuf();
  return from_pem(pem.str(), path);
}

SnowflakeKey SnowflakeKey::from_pem(const std::string& pem, const std::string& where) {
  if (pem.find("ENCRYPTED") != std::string::npos) {
    throw std::runtime_error(
        "the Snowflake private key in " + where +
        " is encrypted; cdcwatch needs an unencrypted PKCS#8 key (openssl pkcs8 -topk8 -nocrypt)");
  }
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (!key || EVP_PKEY_base_id(key) != EVP_PKEY_RSA) {
    if (key) EVP_PKEY_free(key);
    throw std::runtime_error(
        "no RSA private key in PEM form in " + where +
        ": Snowflake key-pair authentication takes an RSA key (-----BEGIN PRIVATE KEY-----)");
  }
  return SnowflakeKey(std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free));
}

std::string SnowflakeKey::public_key_fingerprint() const {
  unsigned char* der = nullptr;
  int length = i2d_PUBKEY(key_.get(), &der);
  if (length <= 0) throw std::runtime_error("cannot encode the Snowflake public key");
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(der, static_cast<size_t>(length), digest);
  OPENSSL_free(der);
  return "SHA256:" +
         base64_encode(std::string_view(reinterpret_cast<char*>(digest), sizeof digest));
}

std::string SnowflakeKey::sign_rs256(std::string_view data) const {
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  size_t length = 0;
  std::string signature;
  bool ok = EVP_DigestSignInit(context, nullptr, EVP_sha256(), nullptr, key_.get()) == 1 &&
            EVP_DigestSign(context, nullptr, &length,
                           reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
  if (ok) {
    signature.resize(length);
    ok = EVP_DigestSign(context, reinterpret_cast<unsigned char*>(signature.data()), &length,
                        reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
    signature.resize(length);
  }
  EVP_MD_CTX_free(context);
  if (!ok) throw std::runtime_error("signing the Snowflake JWT failed");
  return signature;
}

std::string snowflake_jwt_account(const std::string& account) {
  std::string out = account;
  if (out.find(".global") == std::string::npos) {
    if (auto dot = out.find('.'); dot != std::string::npos && dot > 0) out.resize(dot);
  } else if (auto dash = out.find('-'); dash != std::string::npos && dash > 0) {
    out.resize(dash);
  }
  return ascii_upper(out);
}

std::string make_snowflake_jwt(const SnowflakeKey& key, const std::string& account,
                               const std::string& user, int64_t issued_at,
                               int64_t lifetime_seconds) {
  std::string qualified = snowflake_jwt_account(account) + "." + ascii_upper(user);
  nlohmann::json header = {{"alg", "RS256"}, {"typ", "JWT"}};
  nlohmann::json claims = {{"iss", qualified + "." + key.public_key_fingerprint()},
                           {"sub", qualified},
                           {"iat", issued_at},
                           {"exp", issued_at + std::min<int64_t>(lifetime_seconds, 3600)}};
  std::string signing_input =
      base64url_encode(header.dump()) + "." + base64url_encode(claims.dump());
  return signing_input + "." + base64url_encode(key.sign_rs256(signing_input));
}

}  // namespace cdcwatch
