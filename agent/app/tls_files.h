// The endpoint's TLS certificate and key, loaded and matched at config load, so check-config
// rejects a bad pair instead of `run` failing to start with it.
#pragma once

#include <optional>
#include <string>

namespace cdcwatch {

// nullopt when `cert_file` holds a PEM certificate and `key_file` the PEM private key that
// matches it; otherwise what is wrong and what to do.
std::optional<std::string> tls_pair_problem(const std::string& cert_file,
                                            const std::string& key_file);

}  // namespace cdcwatch
