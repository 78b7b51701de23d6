#include "agent/core/readings.h"

#include <algorithm>

namespace cdcwatch {

HistogramValue::HistogramValue(std::vector<double> bounds)
    : upper_bounds(std::move(bounds)), bucket_counts(upper_bounds.size() + 1, 0) {}

void HistogramValue::observe(double value) {
  size_t bucket =
      std::lower_bound(upper_bounds.begin(), upper_bounds.end(), value) - upper_bounds.begin();
  ++bucket_counts[bucket];
  sum += value;
  ++count;
}

MetricFamily& Readings::family_for(const MetricDef& def) {
  for (auto& family : families_) {
    if (family.name == def.name) return family;
  }
  families_.push_back(MetricFamily{def.name, def.help, def.type, {}});
  return families_.back();
}

void Readings::set(const MetricDef& def, Labels labels, double value) {
  family_for(def).series.push_back(Series{std::move(labels), value, std::nullopt});
}

void Readings::set_histogram(const MetricDef& def, Labels labels, HistogramValue histogram) {
  family_for(def).series.push_back(Series{std::move(labels), 0, std::move(histogram)});
}

const MetricFamily* Readings::family(std::string_view metric) const {
  for (const auto& family : families_) {
    if (family.name == metric) return &family;
  }
  return nullptr;
}

std::optional<double> Readings::value(std::string_view metric, const Labels& labels) const {
  const MetricFamily* found = family(metric);
  if (found == nullptr) return std::nullopt;
  for (const auto& series : found->series) {
    if (series.labels.size() == labels.size() && labels_match(series.labels, labels)) {
      return series.value;
    }
  }
  return std::nullopt;
}

void Readings::append(const Readings& other) {
  for (const auto& family : other.families_) {
    MetricFamily& into =
        family_for(MetricDef{family.name.c_str(), family.help.c_str(), family.type});
    into.series.insert(into.series.end(), family.series.begin(), family.series.end());
  }
}

bool labels_match(const Labels& labels, const Labels& subset) {
  return std::all_of(subset.begin(), subset.end(), [&](const auto& wanted) {
    return std::find(labels.begin(), labels.end(), wanted) != labels.end();
  });
}

std::optional<std::string> label_value(const Labels& labels, std::string_view name) {
  for (const auto& [key, value] : labels) {
    if (key == name) return value;
  }
  return std::nullopt;
}

}  // namespace cdcwatch
