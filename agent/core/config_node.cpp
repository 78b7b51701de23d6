#include "agent/core/config_node.h"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

namespace cdcwatch {
namespace {

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// Keys must be plain scalars; `? {a: b}: c` is valid YAML but never a cdcwatch key.
std::string key_text(const YAML::Node& key, const std::shared_ptr<const std::string>& file,
                     const std::string& parent_path) {
  if (!key.IsScalar()) {
    ConfigNode(key, file, parent_path).fail("a key must be a plain name, not a list or mapping");
  }
  return key.Scalar();
}

std::string join_path(const std::string& base, std::string_view key) {
  return base.empty() ? std::string(key) : base + "." + std::string(key);
}

std::string line_of(const YAML::Node& node) {
  return node.Mark().is_null() ? "?" : std::to_string(node.Mark().line + 1);
}

// yaml-cpp keeps both pairs of a key written twice and lookups see only the first, so a second
// `postgres:` section or a repeated `interval:` would be silently dropped.
void reject_duplicate_keys(const YAML::Node& node, const std::shared_ptr<const std::string>& file,
                           const std::string& path) {
  if (node.IsSequence()) {
    for (size_t i = 0; i < node.size(); ++i) {
      reject_duplicate_keys(node[i], file, path + "[" + std::to_string(i) + "]");
    }
  }
  if (!node.IsMap()) return;
  std::map<std::string, YAML::Node> seen;
  for (const auto& pair : node) {
    std::string key = key_text(pair.first, file, path);
    auto [first, inserted] = seen.emplace(key, pair.first);
    if (!inserted) {
      ConfigNode(pair.first, file, join_path(path, key))
          .fail("duplicate key '" + key + "' (first at line " + line_of(first->second) +
                "); merge the two into one");
    }
    reject_duplicate_keys(pair.second, file, join_path(path, key));
  }
}

}  // namespace

std::string nearest_key(std::string_view typo, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_distance = std::max<size_t>(2, typo.size() / 3) + 1;
  for (const auto& candidate : candidates) {
    size_t distance = edit_distance(typo, candidate);
    if (distance < best_distance) best_distance = distance, best = candidate;
  }
  return best;
}

ConfigNode ConfigNode::load_file(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) == 0 && !S_ISREG(info.st_mode)) {
    throw ConfigError(path + ": not a regular file" +
                      (S_ISDIR(info.st_mode) ? std::string(" but a directory") : "") +
                      "; give the path of the YAML config file");
  }
  std::ifstream in(path);
  if (!in) throw ConfigError(path + ": cannot open config file; check the path and permissions");
  std::ostringstream text;
  text << in.rdbuf();
  return load_string(text.str(), path);
}

ConfigNode ConfigNode::load_string(const std::string& text, const std::string& file_name) {
  auto file = std::make_shared<const std::string>(file_name);
  try {
    YAML::Node root = YAML::Load(text);
    if (!root || root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
    ConfigNode node(root, file, "");
    if (!root.IsMap()) node.fail("expected a mapping of sections (agent:, postgres:, ...)");
    reject_duplicate_keys(root, file, "");
    return node;
  } catch (const YAML::Exception& e) {
    throw ConfigError(file_name + ":" + std::to_string(e.mark.line + 1) + ":" +
                      std::to_string(e.mark.column + 1) + ": YAML syntax error: " + e.msg);
  }
}

ConfigNode::ConfigNode(YAML::Node node, std::shared_ptr<const std::string> file,
                       std::string key_path)
    : node_(std::move(node)), file_(std::move(file)), key_path_(std::move(key_path)) {}

std::string ConfigNode::where() const {
  std::string out = *file_;
  if (node_ && !node_.Mark().is_null()) {
    out +=
        ":" + std::to_string(node_.Mark().line + 1) + ":" + std::to_string(node_.Mark().column + 1);
  }
  if (!key_path_.empty()) out += " (" + key_path_ + ")";
  return out;
}

void ConfigNode::fail(std::string_view message) const {
  throw ConfigError(where() + ": " + std::string(message));
}

void ConfigNode::expect_keys(std::initializer_list<std::string_view> allowed) const {
  expect_keys(std::vector<std::string>(allowed.begin(), allowed.end()));
}

void ConfigNode::expect_keys(const std::vector<std::string>& allowed) const {
  if (is_null()) return;
  if (!node_.IsMap()) fail("expected a mapping with keys such as '" + allowed.front() + "'");
  for (const auto& pair : node_) {
    std::string key = key_text(pair.first, file_, key_path_);
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    ConfigNode at(pair.first, file_, join_path(key_path_, key));
    std::string suggestion = nearest_key(key, allowed);
    std::string message = "unknown key '" + key + "'";
    if (!suggestion.empty()) {
      message += ", did you mean '" + suggestion + "'?";
    } else {
      message += "; valid keys here:";
      for (const auto& name : allowed) message += " " + name;
    }
    at.fail(message);
  }
}

bool ConfigNode::has(std::string_view key) const {
  return node_.IsMap() && node_[std::string(key)] && !node_[std::string(key)].IsNull();
}

ConfigNode ConfigNode::child(std::string_view key) const {
  if (!has(key)) fail("missing required key '" + std::string(key) + "'");
  return ConfigNode(node_[std::string(key)], file_, join_path(key_path_, key));
}

std::optional<ConfigNode> ConfigNode::optional_child(std::string_view key) const {
  if (!has(key)) return std::nullopt;
  return child(key);
}

std::vector<ConfigNode> ConfigNode::items() const {
  if (is_null()) return {};
  if (!node_.IsSequence()) fail("expected a list (- item per line, or [a, b])");
  std::vector<ConfigNode> out;
  for (size_t i = 0; i < node_.size(); ++i) {
    out.emplace_back(node_[i], file_, key_path_ + "[" + std::to_string(i) + "]");
  }
  return out;
}

std::vector<std::pair<std::string, ConfigNode>> ConfigNode::entries() const {
  if (is_null()) return {};
  if (!node_.IsMap()) fail("expected a mapping of key: value");
  std::vector<std::pair<std::string, ConfigNode>> out;
  for (const auto& pair : node_) {
    std::string key = key_text(pair.first, file_, key_path_);
    out.emplace_back(key, ConfigNode(pair.second, file_, join_path(key_path_, key)));
  }
  return out;
}

std::string ConfigNode::as_string() const { return as_secret().value; }

SecretString ConfigNode::as_secret() const {
  if (!node_.IsScalar()) fail("expected a single value, not a list or mapping");
  try {
    return resolve_secrets(node_.Scalar());
  } catch (const SecretError& e) {
    fail(e.what());
  }
}

SecretString ConfigNode::as_credential() const {
  SecretString credential = as_secret();
  if (credential.value.empty()) {
    fail(credential.has_secret()
             ? "the secret reference resolved to an empty value; set the variable or file, or "
               "remove the key"
             : "must not be empty; set a credential or remove the key");
  }
  remember_secret(credential.value);  // written inline, it is still a secret
  return credential;
}

Millis ConfigNode::as_duration() const {
  auto value = parse_duration(as_string());
  if (!value) fail("expected a duration such as 500ms, 15s, 5m or 1h, got '" + as_string() + "'");
  return *value;
}

uint64_t ConfigNode::as_size() const {
  auto value = parse_size(as_string());
  if (!value) fail("expected a size such as 512MiB, 10GiB or 5GB, got '" + as_string() + "'");
  return *value;
}

double ConfigNode::as_number() const {
  std::string text = as_string();
  try {
    size_t used = 0;
    double value = std::stod(text, &used);
    if (used == text.size() && std::isfinite(value)) return value;
  } catch (const std::exception&) {
  }
  fail("expected a number, got '" + text + "'");
}

int64_t ConfigNode::as_integer() const {
  std::string text = as_string();
  try {
    size_t used = 0;
    long long value = std::stoll(text, &used);
    if (used == text.size()) return value;
  } catch (const std::exception&) {
  }
  fail("expected a whole number, got '" + text + "'");
}

bool ConfigNode::as_bool() const {
  std::string text = as_string();
  if (text == "true" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "no" || text == "off") return false;
  fail("expected true or false, got '" + text + "'");
}

std::vector<std::string> ConfigNode::as_string_list() const {
  std::vector<std::string> out;
  for (const auto& item : items()) out.push_back(item.as_string());
  return out;
}

std::string ConfigNode::required_string(std::string_view key) const {
  std::string value = child(key).as_string();
  if (value.empty()) child(key).fail("must not be empty");
  return value;
}

std::string ConfigNode::string_or(std::string_view key, std::string fallback) const {
  return has(key) ? child(key).as_string() : std::move(fallback);
}

Millis ConfigNode::duration_or(std::string_view key, Millis fallback) const {
  return has(key) ? child(key).as_duration() : fallback;
}

std::optional<uint64_t> ConfigNode::optional_size(std::string_view key) const {
  if (!has(key)) return std::nullopt;
  return child(key).as_size();
}

std::optional<Millis> ConfigNode::optional_duration(std::string_view key) const {
  if (!has(key)) return std::nullopt;
  return child(key).as_duration();
}

Millis ConfigNode::duration_at_least(std::string_view key, Millis fallback, Millis minimum) const {
  return optional_duration_at_least(key, minimum).value_or(fallback);
}

std::optional<Millis> ConfigNode::optional_duration_at_least(std::string_view key,
                                                             Millis minimum) const {
  auto value = optional_duration(key);
  if (value && *value < minimum) {
    child(key).fail("must be at least " + format_duration(minimum) + ", got " +
                    format_duration(*value));
  }
  return value;
}

bool ConfigNode::bool_or(std::string_view key, bool fallback) const {
  return has(key) ? child(key).as_bool() : fallback;
}

int64_t ConfigNode::integer_or(std::string_view key, int64_t fallback) const {
  return has(key) ? child(key).as_integer() : fallback;
}

double ConfigNode::number_or(std::string_view key, double fallback) const {
  return has(key) ? child(key).as_number() : fallback;
}

std::vector<std::string> ConfigNode::string_list_or(std::string_view key,
                                                    std::vector<std::string> fallback) const {
  return has(key) ? child(key).as_string_list() : std::move(fallback);
}

}  // namespace cdcwatch
