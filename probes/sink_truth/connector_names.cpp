#include "probes/sink_truth/connector_names.h"

#include <cctype>
#include <charconv>
#include <regex>

namespace cdcwatch {
namespace {

std::string upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

std::string trim(const std::string& text) {
  size_t first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

bool valid_identifier(const std::string& name) {
  static const std::regex pattern("^[_a-zA-Z][_$a-zA-Z0-9]+$");
  return std::regex_match(name, pattern);
}

// java.lang.String.hashCode over UTF-16 code units; topic names are ASCII
// (Kafka allows [a-zA-Z0-9._-] only), so bytes are code units.
int32_t java_hash(const std::string& text) {
  uint32_t hash = 0;
  for (unsigned char c : text) hash = 31 * hash + c;
  return static_cast<int32_t>(hash);
}

}  // namespace

std::vector<std::pair<std::string, std::string>> parse_topic2table(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    std::string pair =
        text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    size_t colon = pair.find(':');
    if (colon != std::string::npos && pair.find(':', colon + 1) == std::string::npos) {
      std::string topic = trim(pair.substr(0, colon)), table = trim(pair.substr(colon + 1));
      if (!topic.empty() && !table.empty()) out.emplace_back(topic, table);
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

std::string table_for_topic(const std::string& topic,
                            const std::vector<std::pair<std::string, std::string>>& topic2table) {
  for (const auto& [key, table] : topic2table) {
    if (key == topic) return table;
  }
  for (const auto& [key, table] : topic2table) {
    try {
      if (std::regex_match(topic, std::regex(key))) return table;
    } catch (const std::regex_error&) {
      // The connector rejects such a map at start; a key that is no regex matches nothing.
    }
  }
  if (valid_identifier(topic)) return topic;
  int64_t hash = java_hash(topic);
  std::string name = std::regex_replace(topic, std::regex("\\.\\*"), "");
  for (size_t i = 0; i < name.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    bool ok = std::isalpha(c) || c == '_' || (i > 0 && (std::isdigit(c) || c == '$'));
    if (!ok) name[i] = '_';
  }
  return name + "_" + std::to_string(hash < 0 ? -hash : hash);
}

std::string snowpipe_pipe_name(const std::string& connector, const std::string& table,
                               int32_t partition) {
  return "SNOWFLAKE_KAFKA_CONNECTOR_" + connector + "_PIPE_" + table + "_" +
         std::to_string(partition);
}

std::optional<TopicPartitionKey> channel_partition(const std::string& channel,
                                                   const std::string& connector,
                                                   const std::vector<std::string>& topics) {
  size_t last = channel.rfind('_');
  if (last == std::string::npos || last + 1 == channel.size()) return std::nullopt;
  int32_t partition = -1;
  const char* digits = channel.data() + last + 1;
  auto [end, error] = std::from_chars(digits, channel.data() + channel.size(), partition);
  if (error != std::errc() || end != channel.data() + channel.size() || partition < 0)
    return std::nullopt;
  std::string prefix = upper(channel.substr(0, last));
  std::string with_connector = upper(connector) + "_";
  for (const auto& topic : topics) {
    std::string wanted = upper(topic);
    if (prefix == with_connector + wanted) return TopicPartitionKey{topic, partition};
  }
  for (const auto& topic : topics) {
    if (prefix == upper(topic)) return TopicPartitionKey{topic, partition};
  }
  return std::nullopt;
}

}  // namespace cdcwatch
