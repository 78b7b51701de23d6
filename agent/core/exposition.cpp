#include "agent/core/exposition.h"

#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

#include <limits>

namespace cdcwatch {
namespace {

prometheus::ClientMetric to_client_metric(const Series& series, MetricType type) {
  prometheus::ClientMetric metric;
  for (const auto& [name, value] : series.labels) metric.label.push_back({name, value});
  switch (type) {
    case MetricType::kGauge:
      metric.gauge.value = series.value;
      break;
    case MetricType::kCounter:
      metric.counter.value = series.value;
      break;
    case MetricType::kHistogram: {
      const HistogramValue empty;
      const HistogramValue& h = series.histogram ? *series.histogram : empty;
      metric.histogram.sample_count = h.count;
      metric.histogram.sample_sum = h.sum;
      uint64_t cumulative = 0;
      for (size_t i = 0; i < h.bucket_counts.size(); ++i) {
        cumulative += h.bucket_counts[i];
        double bound =
            i < h.upper_bounds.size() ? h.upper_bounds[i] : std::numeric_limits<double>::infinity();
        metric.histogram.bucket.push_back({cumulative, bound});
      }
      break;
    }
  }
  return metric;
}

prometheus::MetricType to_prometheus_type(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return prometheus::MetricType::Counter;
    case MetricType::kHistogram:
      return prometheus::MetricType::Histogram;
    case MetricType::kGauge:
      break;
  }
  return prometheus::MetricType::Gauge;
}

}  // namespace

std::string render_prometheus_text(const Readings& readings) {
  std::vector<prometheus::MetricFamily> families;
  families.reserve(readings.families().size());
  for (const auto& family : readings.families()) {
    prometheus::MetricFamily out;
    out.name = family.name;
    out.help = family.help;
    out.type = to_prometheus_type(family.type);
    out.metric.reserve(family.series.size());
    for (const auto& series : family.series) {
      out.metric.push_back(to_client_metric(series, family.type));
    }
    families.push_back(std::move(out));
  }
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace cdcwatch
