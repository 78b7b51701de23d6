#include "agent/pipeline/topic_match.h"

#include <fnmatch.h>

#include <regex>

#include "agent/core/text_split.h"

namespace cdcwatch {
namespace {

// A Debezium include-list regex as a glob: "public\.orders" -> "public.orders",
// "public\..*" or "public.*" -> "public.*".
std::string regex_to_glob(const std::string& regex) {
  std::string glob;
  for (size_t i = 0; i < regex.size(); ++i) {
    if (regex.compare(i, 2, "\\.") == 0) {
      glob += '.';
      ++i;
    } else if (regex.compare(i, 2, ".*") == 0 || regex.compare(i, 2, ".+") == 0) {
      glob += '*';
      ++i;
    } else {
      glob += regex[i];
    }
  }
  return glob;
}

// The characters a regex matches literally before its first special one, unescaping "\.".
std::string literal_beginning(const std::string& regex) {
  std::string out;
  for (size_t i = 0; i < regex.size(); ++i) {
    if (regex.compare(i, 2, "\\.") == 0) {
      out += '.';
      ++i;
    } else if (std::string("\\.*+?()[]{}|^$").find(regex[i]) != std::string::npos) {
      break;
    } else {
      out += regex[i];
    }
  }
  return out;
}

std::string glob_beginning(const std::string& glob) {
  return glob.substr(0, glob.find_first_of("*?["));
}

bool regex_reads(const std::string& regex, const std::string& glob) {
  if (glob.find_first_of("*?[") == std::string::npos) {
    try {
      return std::regex_match(glob, std::regex(regex));
    } catch (const std::regex_error&) {
      return false;
    }
  }
  std::string a = literal_beginning(regex), b = glob_beginning(glob);
  return a.compare(0, b.size(), b) == 0 || b.compare(0, a.size(), a) == 0;
}

}  // namespace

std::vector<std::string> source_topics(const ConnectorInfo& source) {
  std::string prefix =
      source.config_or("topic.prefix", source.config_or("database.server.name", source.name));
  std::vector<std::string> globs;
  for (const auto& table : split_list(source.config_or("table.include.list", ""))) {
    globs.push_back(prefix + "." + regex_to_glob(table));
  }
  if (globs.empty()) {
    for (const auto& schema : split_list(source.config_or("schema.include.list", ""))) {
      globs.push_back(prefix + "." + regex_to_glob(schema) + ".*");
    }
  }
  if (globs.empty()) globs.push_back(prefix + ".*");
  return globs;
}

bool sink_reads(const ConnectorInfo& sink, const std::vector<std::string>& globs) {
  auto topics = split_list(sink.config_or("topics", ""));
  std::string regex = sink.config_or("topics.regex", "");
  for (const auto& glob : globs) {
    for (const auto& topic : topics) {
      if (fnmatch(glob.c_str(), topic.c_str(), 0) == 0) return true;
    }
    if (!regex.empty() && regex_reads(regex, glob)) return true;
  }
  return false;
}

std::vector<std::string> sink_tables(const ConnectorInfo& sink,
                                     const std::vector<std::string>& globs) {
  std::string prefix;
  for (const char* part : {"snowflake.database.name", "snowflake.schema.name"}) {
    std::string name = sink.config_or(part, "");
    if (!name.empty()) prefix += name + ".";
  }
  std::vector<std::string> tables;
  for (const auto& pair : split_list(sink.config_or("snowflake.topic2table.map", ""))) {
    auto colon = pair.find(':');
    if (colon == std::string::npos) continue;
    std::string topic = pair.substr(0, colon);
    for (const auto& glob : globs) {
      if (fnmatch(glob.c_str(), topic.c_str(), 0) == 0) {
        tables.push_back(prefix + pair.substr(colon + 1));
        break;
      }
    }
  }
  return tables;
}

}  // namespace cdcwatch
