// A read-only view of one YAML node that knows where it came from, so every config error can name
// the file, line, column and key path, say what was expected, and suggest the nearest valid key.
//
// Parsing is strict: accessors throw ConfigError on a wrong type or a malformed value, and
// `expect_keys` rejects unknown keys. Not thread-safe; used while loading config.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "agent/core/secrets.h"
#include "agent/core/units.h"

namespace cdcwatch {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ConfigNode {
 public:
  // Loads a YAML file; throws ConfigError naming the file on I/O or syntax errors, when the path
  // is not a regular file, and on a key written twice in one mapping (yaml-cpp keeps both).
  static ConfigNode load_file(const std::string& path);
  static ConfigNode load_string(const std::string& text, const std::string& file_name);

  ConfigNode(YAML::Node node, std::shared_ptr<const std::string> file, std::string key_path);

  // "cdcwatch.yml:12:5 (postgres[0].interval)"
  std::string where() const;
  const std::string& key_path() const { return key_path_; }
  const std::string& file() const { return *file_; }
  bool is_map() const { return node_.IsMap(); }
  bool is_sequence() const { return node_.IsSequence(); }
  bool is_scalar() const { return node_.IsScalar(); }
  bool is_null() const { return !node_ || node_.IsNull(); }
  const YAML::Node& yaml() const { return node_; }

  // Throws for any key of this map not in `allowed`, with a did-you-mean suggestion.
  void expect_keys(std::initializer_list<std::string_view> allowed) const;
  void expect_keys(const std::vector<std::string>& allowed) const;

  bool has(std::string_view key) const;
  ConfigNode child(std::string_view key) const;  // requires the key
  std::optional<ConfigNode> optional_child(std::string_view key) const;
  std::vector<ConfigNode> items() const;                            // elements of a sequence
  std::vector<std::pair<std::string, ConfigNode>> entries() const;  // pairs of a map

  // Scalar accessors on this node. Every string resolves ${env:...} and ${file:...} references
  // (their values are remembered, so logs and check-config scrub them); as_secret() also keeps the
  // redacted form for display, and as_credential() refuses an empty result.
  std::string as_string() const;
  SecretString as_secret() const;
  SecretString as_credential() const;
  Millis as_duration() const;
  uint64_t as_size() const;
  double as_number() const;
  int64_t as_integer() const;
  bool as_bool() const;
  std::vector<std::string> as_string_list() const;

  // Keyed shorthands: `required_*` throw when the key is missing, the others return a fallback.
  std::string required_string(std::string_view key) const;
  std::string string_or(std::string_view key, std::string fallback) const;
  Millis duration_or(std::string_view key, Millis fallback) const;
  std::optional<uint64_t> optional_size(std::string_view key) const;
  std::optional<Millis> optional_duration(std::string_view key) const;
  // A probe interval, poll interval, timeout or backoff: absent is `fallback`, below `minimum` is
  // an error naming the minimum (a 0s interval floods the systems a probe reads).
  Millis duration_at_least(std::string_view key, Millis fallback, Millis minimum) const;
  std::optional<Millis> optional_duration_at_least(std::string_view key, Millis minimum) const;
  bool bool_or(std::string_view key, bool fallback) const;
  int64_t integer_or(std::string_view key, int64_t fallback) const;
  double number_or(std::string_view key, double fallback) const;
  std::vector<std::string> string_list_or(std::string_view key,
                                          std::vector<std::string> fallback) const;

  // Throws ConfigError "<where>: <message>".
  [[noreturn]] void fail(std::string_view message) const;

 private:
  YAML::Node node_;
  std::shared_ptr<const std::string> file_;
  std::string key_path_;
};

// The shortest interval any entry may run at, as agent.interval.
inline constexpr Millis kMinimumInterval{100};

// Levenshtein-nearest candidate within a small distance, or empty.
std::string nearest_key(std::string_view typo, const std::vector<std::string>& candidates);

}  // namespace cdcwatch
