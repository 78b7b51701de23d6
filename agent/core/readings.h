// Readings: what one probe cycle observed, as metric families. Probes produce them; the agent
// stores the latest set per probe, exports it on /metrics and evaluates alert rules on it.
// A series a probe no longer reports simply is not in its next Readings, so it vanishes.
// Plain values; not thread-safe by themselves (the store guards them).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cdcwatch {

using Labels = std::vector<std::pair<std::string, std::string>>;

// kSummary is a summary without quantiles: each series' histogram holds only a sum and a count,
// exposed as <name>_sum and <name>_count.
enum class MetricType { kGauge, kCounter, kHistogram, kSummary };

// A metric a probe may report; declare these at the top of the probe's file.
struct MetricDef {
  const char* name;
  const char* help;
  MetricType type = MetricType::kGauge;
};

struct HistogramValue {
  std::vector<double> upper_bounds;     // excluding +Inf
  std::vector<uint64_t> bucket_counts;  // per bucket (not cumulative); size = bounds + 1 (+Inf)
  double sum = 0;
  uint64_t count = 0;

  explicit HistogramValue(std::vector<double> bounds = {});
  void observe(double value);
};

struct Series {
  Labels labels;
  double value = 0;
  std::optional<HistogramValue> histogram;
};

struct MetricFamily {
  std::string name;
  std::string help;
  MetricType type = MetricType::kGauge;
  std::vector<Series> series;
};

class Readings {
 public:
  // Adds one series to the family `def` (created on first use).
  void set(const MetricDef& def, Labels labels, double value);
  void set_histogram(const MetricDef& def, Labels labels, HistogramValue histogram);

  const std::vector<MetricFamily>& families() const { return families_; }
  // The value of the series with exactly these labels (order-insensitive), if reported.
  std::optional<double> value(std::string_view metric, const Labels& labels) const;
  const MetricFamily* family(std::string_view metric) const;
  void append(const Readings& other);
  bool empty() const { return families_.empty(); }

 private:
  MetricFamily& family_for(const MetricDef& def);
  std::vector<MetricFamily> families_;
};

// True when every label in `subset` appears with the same value in `labels`.
bool labels_match(const Labels& labels, const Labels& subset);
std::optional<std::string> label_value(const Labels& labels, std::string_view name);

}  // namespace cdcwatch
