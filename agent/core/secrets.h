// Secret references in config values: ${env:NAME}, ${file:/path} (whole file, trimmed) and
// ${file:/path:key} (a key of a Java-properties file, as Kafka Connect's FileConfigProvider reads).
//
// A resolved value is remembered so that logs and /status can scrub it even if some library echoes
// it back (libpq, librdkafka and HTTP peers sometimes quote what they were given). Thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

namespace cdcwatch {

// A config string after its references are resolved. `value` is what the program uses; `display`
// is what a person may see, every reference replaced by "<redacted>".
struct SecretString {
  std::string value;
  std::string display;

  bool has_secret() const { return value != display; }
};

// Thrown when a reference cannot be resolved; the message names the reference, never a value.
class SecretError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A ${file:...} larger than this is refused: secrets are small, and a device would never end.
inline constexpr size_t kMaxSecretFileBytes = 64 * 1024;

SecretString resolve_secrets(std::string_view raw);

// Registers a value that must never be shown (resolve_secrets does this for every reference),
// and each of its whitespace-separated pieces, as peers may quote one piece alone.
void remember_secret(std::string_view value);

// Replaces every remembered secret value in `text` with "<redacted>".
std::string scrub_secrets(std::string text);

// Scrubs every string inside a JSON value. Structural, so a secret containing '"' or '\\' is found
// in its raw form rather than missed in its escaped one.
void scrub_secrets_in(nlohmann::json& value);

inline constexpr std::string_view kRedacted = "<redacted>";

}  // namespace cdcwatch
