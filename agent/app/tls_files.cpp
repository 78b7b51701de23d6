#include "agent/app/tls_files.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include <memory>

namespace cdcwatch {
namespace {

struct BioCloser {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using Bio = std::unique_ptr<BIO, BioCloser>;

Bio open_regular_file(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) return nullptr;
  return Bio(BIO_new_file(path.c_str(), "r"));
}

}  // namespace

std::optional<std::string> tls_pair_problem(const std::string& cert_file,
                                            const std::string& key_file) {
  Bio cert_bio = open_regular_file(cert_file);
  if (!cert_bio) return "cannot read " + cert_file + "; give a readable PEM certificate file";
  std::unique_ptr<X509, decltype(&X509_free)> cert(
      PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr), X509_free);
  Bio key_bio = open_regular_file(key_file);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      key_bio ? PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr) : nullptr,
      EVP_PKEY_free);
  ERR_clear_error();  // the reasons are summarised below; none is left for the next TLS call
  if (!cert) return cert_file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)";
  if (!key) {
    return key_file + " holds no unencrypted PEM private key (-----BEGIN PRIVATE KEY-----)";
  }
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    ERR_clear_error();
    return key_file + " is not the private key of the certificate in " + cert_file +
           "; give the key the certificate was issued for";
  }
  return std::nullopt;
}

}  // namespace cdcwatch
