#include "agent/core/secrets.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>

namespace cdcwatch {
namespace {

// Longest first, so a secret that contains another is scrubbed whole.
struct LongestFirst {
  bool operator()(const std::string& a, const std::string& b) const {
    return a.size() != b.size() ? a.size() > b.size() : a < b;
  }
};

std::mutex g_mutex;
std::set<std::string, LongestFirst>& known_secrets() {
  static std::set<std::string, LongestFirst> secrets;
  return secrets;
}

std::string trim(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return "";
  size_t end = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(begin, end - begin + 1));
}

// A secret is a password, a token or a small properties file; /dev/zero or a FIFO would hang.
std::string read_file(const std::string& path, std::string_view reference) {
  struct stat info {};
  if (::stat(path.c_str(), &info) == 0 && !S_ISREG(info.st_mode)) {
    throw SecretError("secret reference " + std::string(reference) + ": " + path +
                      " is not a regular file; point it at the file that holds the secret");
  }
  if (static_cast<uint64_t>(info.st_size) > kMaxSecretFileBytes) {
    throw SecretError("secret reference " + std::string(reference) + ": " + path + " is over " +
                      std::to_string(kMaxSecretFileBytes) + " bytes; a secret file holds a " +
                      "password, token, key or a few properties");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw SecretError("secret reference " + std::string(reference) + ": cannot read file " + path +
                      "; check that it exists and that cdcwatch's user may read it");
  }
  std::string content(kMaxSecretFileBytes + 1, '\0');
  in.read(content.data(), static_cast<std::streamsize>(content.size()));
  content.resize(static_cast<size_t>(in.gcount()));
  if (content.size() > kMaxSecretFileBytes) {
    throw SecretError("secret reference " + std::string(reference) + ": " + path +
                      " grew past the size cap while being read");
  }
  return content;
}

// The subset of java.util.Properties that secret files use: "key=value", "key: value" or
// "key value" lines, '#' and '!' comments, backslash line continuations.
std::string properties_value(const std::string& content, const std::string& key,
                             std::string_view reference, const std::string& path) {
  std::istringstream in(content);
  std::string line, logical;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::string stripped = trim(line);
    if (logical.empty() && (stripped.empty() || stripped[0] == '#' || stripped[0] == '!')) continue;
    if (!stripped.empty() && stripped.back() == '\\') {
      logical += stripped.substr(0, stripped.size() - 1);
      continue;
    }
    logical += stripped;
    size_t separator = logical.find_first_of("=: \t");
    std::string found_key = logical.substr(0, separator);
    if (found_key == key) {
      std::string rest = separator == std::string::npos ? "" : logical.substr(separator);
      rest = trim(rest);
      if (!rest.empty() && (rest[0] == '=' || rest[0] == ':')) rest = trim(rest.substr(1));
      return rest;
    }
    logical.clear();
  }
  throw SecretError("secret reference " + std::string(reference) + ": key '" + key +
                    "' not found in " + path);
}

std::string resolve_reference(std::string_view reference, std::string_view body) {
  if (body.starts_with("env:")) {
    std::string name(body.substr(4));
    const char* value = std::getenv(name.c_str());
    if (name.empty() || value == nullptr) {
      throw SecretError("secret reference " + std::string(reference) + ": environment variable " +
                        name + " is not set");
    }
    return value;
  }
  if (body.starts_with("file:")) {
    std::string spec(body.substr(5));
    if (spec.empty() || spec[0] != '/') {
      throw SecretError(
          "secret reference " + std::string(reference) +
          ": expected an absolute path, as in ${file:/secrets/db.properties:password}");
    }
    size_t key_separator = spec.rfind(':');
    if (key_separator == std::string::npos) return trim(read_file(spec, reference));
    std::string path = spec.substr(0, key_separator);
    return properties_value(read_file(path, reference), spec.substr(key_separator + 1), reference,
                            path);
  }
  throw SecretError("secret reference " + std::string(reference) +
                    ": unknown provider; use ${env:NAME}, ${file:/path} or ${file:/path:key}");
}

}  // namespace

SecretString resolve_secrets(std::string_view raw) {
  SecretString out;
  size_t pos = 0;
  while (pos < raw.size()) {
    size_t start = raw.find("${", pos);
    if (start == std::string_view::npos) break;
    size_t end = raw.find('}', start);
    if (end == std::string_view::npos) {
      throw SecretError("unterminated secret reference starting '" +
                        std::string(raw.substr(start, 12)) + "': close it with '}'");
    }
    out.value.append(raw.substr(pos, start - pos));
    out.display.append(raw.substr(pos, start - pos));
    std::string_view reference = raw.substr(start, end - start + 1);
    std::string value = resolve_reference(reference, raw.substr(start + 2, end - start - 2));
    remember_secret(value);
    out.value += value;
    out.display += kRedacted;
    pos = end + 1;
  }
  out.value.append(raw.substr(pos));
  out.display.append(raw.substr(pos));
  return out;
}

void remember_secret(std::string_view value) {
  // Very short values would scrub ordinary words out of every log line.
  constexpr size_t kShortest = 4;
  std::lock_guard lock(g_mutex);
  if (value.size() >= kShortest) known_secrets().emplace(value);
  // A peer that splits a value at spaces (libpq on `password=two words`) quotes one piece alone.
  for (size_t begin = value.find_first_not_of(" \t\r\n"); begin != std::string_view::npos;) {
    size_t end = std::min(value.find_first_of(" \t\r\n", begin), value.size());
    if (end - begin >= kShortest && end - begin < value.size()) {
      known_secrets().emplace(value.substr(begin, end - begin));
    }
    begin = value.find_first_not_of(" \t\r\n", end);
  }
}

std::string scrub_secrets(std::string text) {
  std::lock_guard lock(g_mutex);
  for (const auto& secret : known_secrets()) {
    for (size_t pos = text.find(secret); pos != std::string::npos;
         pos = text.find(secret, pos + kRedacted.size())) {
      text.replace(pos, secret.size(), kRedacted);
    }
  }
  return text;
}

void scrub_secrets_in(nlohmann::json& value) {
  if (value.is_string()) {
    value = scrub_secrets(value.get<std::string>());
  } else if (value.is_structured()) {
    for (auto& item : value) scrub_secrets_in(item);
  }
}

}  // namespace cdcwatch
