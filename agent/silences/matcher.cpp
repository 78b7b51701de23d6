#include "agent/silences/matcher.h"

#include <algorithm>
#include <cctype>

namespace cdcwatch {
namespace {

constexpr const char* kForm =
    "write key=value pairs separated by commas, e.g. pipeline=orders,hop=sink";

// Prometheus label names: the keys are label names of the instance.
bool is_label_name(std::string_view key) {
  if (key.empty() || std::isdigit(static_cast<unsigned char>(key[0]))) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  return text;
}

[[noreturn]] void reject(std::string_view part, const std::string& why) {
  throw MatcherError("bad matcher part '" + std::string(part) + "': " + why);
}

}  // namespace

bool Matcher::matches(const Labels& alert_labels) const {
  return std::all_of(pairs.begin(), pairs.end(), [&](const auto& pair) {
    auto value = label_value(alert_labels, pair.first);
    return value && *value == pair.second;
  });
}

std::string Matcher::text() const {
  std::string out;
  for (const auto& [key, value] : pairs) out += (out.empty() ? "" : ",") + key + "=" + value;
  return out;
}

Matcher parse_matcher(std::string_view text) {
  if (trimmed(text).empty()) throw MatcherError(std::string("empty matcher; ") + kForm);
  Matcher out;
  while (true) {
    size_t comma = text.find(',');
    std::string_view part = trimmed(text.substr(0, comma));
    size_t equals = part.find('=');
    if (equals == std::string_view::npos) reject(part, std::string("no '='; ") + kForm);
    std::string_view key = trimmed(part.substr(0, equals));
    std::string_view value = trimmed(part.substr(equals + 1));
    if (!is_label_name(key)) {
      reject(part,
             "the key must be a label name (letters, digits, '_'; e.g. pipeline, hop, alert)");
    }
    if (value.empty()) reject(part, "empty value; say which " + std::string(key) + " to match");
    if (label_value(out.pairs, key)) reject(part, "'" + std::string(key) + "' is given twice");
    out.pairs.emplace_back(key, value);
    if (comma == std::string_view::npos) return out;
    text.remove_prefix(comma + 1);
  }
}

}  // namespace cdcwatch
