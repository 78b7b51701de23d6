#include "tests/support/metrics_text.h"

#include <limits>
#include <sstream>
#include <stdexcept>

namespace cdcwatch::testing {
namespace {

// name{a="x",b="y"} value  (label values may contain escaped quotes)
Sample parse_line(const std::string& line) {
  Sample sample;
  size_t i = line.find_first_of("{ ");
  sample.name = line.substr(0, i);
  if (i != std::string::npos && line[i] == '{') {
    ++i;
    while (i < line.size() && line[i] != '}') {
      size_t eq = line.find('=', i);
      std::string key = line.substr(i, eq - i);
      std::string value;
      size_t j = eq + 2;  // skip ="
      while (j < line.size() && line[j] != '"') {
        if (line[j] == '\\' && j + 1 < line.size()) {
          char next = line[++j];
          value += next == 'n' ? '\n' : next;
        } else {
          value += line[j];
        }
        ++j;
      }
      sample.labels[key] = value;
      i = j + 1;
      if (i < line.size() && line[i] == ',') ++i;
    }
    ++i;
  }
  std::string rest = line.substr(i);
  std::istringstream in(rest);
  std::string number;
  in >> number;
  if (number == "+Inf") {
    sample.value = std::numeric_limits<double>::infinity();
  } else if (number == "-Inf") {
    sample.value = -std::numeric_limits<double>::infinity();
  } else if (number == "NaN") {
    sample.value = std::numeric_limits<double>::quiet_NaN();
  } else {
    sample.value = std::stod(number);
  }
  return sample;
}

}  // namespace

MetricsText::MetricsText(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (line.rfind("# TYPE ", 0) == 0) {
      std::istringstream type_line(line.substr(7));
      std::string family;
      type_line >> family;
      families_.push_back(family);
      continue;
    }
    if (line[0] == '#') continue;
    samples_.push_back(parse_line(line));
  }
}

std::vector<Sample> MetricsText::find(const std::string& name,
                                      const std::map<std::string, std::string>& match) const {
  std::vector<Sample> out;
  for (const auto& sample : samples_) {
    if (sample.name != name) continue;
    bool all = true;
    for (const auto& [key, value] : match) {
      auto it = sample.labels.find(key);
      if (it == sample.labels.end() || it->second != value) all = false;
    }
    if (all) out.push_back(sample);
  }
  return out;
}

std::optional<double> MetricsText::value(const std::string& name,
                                         const std::map<std::string, std::string>& match) const {
  auto found = find(name, match);
  if (found.empty()) return std::nullopt;
  return found.front().value;
}

}  // namespace cdcwatch::testing
