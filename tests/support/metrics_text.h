// Parses Prometheus text exposition (what /metrics serves) so tests can assert on values.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cdcwatch::testing {

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

class MetricsText {
 public:
  explicit MetricsText(const std::string& text);

  const std::vector<Sample>& samples() const { return samples_; }
  // Samples of `name` whose labels include every pair of `match`.
  std::vector<Sample> find(const std::string& name,
                           const std::map<std::string, std::string>& match = {}) const;
  std::optional<double> value(const std::string& name,
                              const std::map<std::string, std::string>& match = {}) const;
  bool has(const std::string& name) const { return !find(name).empty(); }
  // Family names from the # TYPE lines.
  std::vector<std::string> families() const { return families_; }

 private:
  std::vector<Sample> samples_;
  std::vector<std::string> families_;
};

}  // namespace cdcwatch::testing
