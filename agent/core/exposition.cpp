#include "agent/core/exposition.h"

#include <charconv>
#include <cmath>
#include <string_view>
#include <unordered_map>

namespace cdcwatch {
namespace {

// As prometheus-cpp wrote them: 16 significant digits, "+Inf", "-Inf", "NaN".
void append_value(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
  } else {
    char buffer[32];
    auto result =
        std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::general, 16);
    out.append(buffer, result.ptr);
  }
}

void append_count(std::string& out, uint64_t value) {
  char buffer[24];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, result.ptr);
}

// Label values escape backslash, double quote and line feed; HELP text only the first and last.
void append_escaped(std::string& out, std::string_view text, bool quote) {
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

// name{a="x",b="y"[,le="..."]}
void append_series_name(std::string& out, std::string_view name, std::string_view suffix,
                        const Labels& labels, const std::string* le = nullptr) {
  out.append(name).append(suffix);
  if (labels.empty() && le == nullptr) return;
  out += '{';
  bool first = true;
  for (const auto& [label, value] : labels) {
    if (!first) out += ',';
    first = false;
    out.append(label).append("=\"");
    append_escaped(out, value, true);
    out += '"';
  }
  if (le != nullptr) out.append(first ? "le=\"" : ",le=\"").append(*le).append("\"");
  out += '}';
}

void append_sum_and_count(std::string& out, const std::string& name, const HistogramValue& h,
                          const Labels& labels) {
  append_series_name(out, name, "_sum", labels);
  out += ' ';
  append_value(out, h.sum);
  out += '\n';
  append_series_name(out, name, "_count", labels);
  out += ' ';
  append_count(out, h.count);
  out += '\n';
}

void append_histogram(std::string& out, const std::string& name, const Series& series,
                      bool buckets) {
  const HistogramValue empty;
  const HistogramValue& h = series.histogram ? *series.histogram : empty;
  uint64_t cumulative = 0;
  std::string le;
  for (size_t i = 0; buckets && i < h.bucket_counts.size(); ++i) {
    cumulative += h.bucket_counts[i];
    le.clear();
    append_value(le, i < h.upper_bounds.size() ? h.upper_bounds[i] : INFINITY);
    append_series_name(out, name, "_bucket", series.labels, &le);
    out += ' ';
    append_count(out, cumulative);
    out += '\n';
  }
  append_sum_and_count(out, name, h, series.labels);
}

const char* type_name(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kHistogram:
      return "histogram";
    case MetricType::kSummary:
      return "summary";
    case MetricType::kGauge:
      break;
  }
  return "gauge";
}

void append_family(std::string& out, const std::vector<const MetricFamily*>& pieces) {
  const MetricFamily& head = *pieces.front();
  out.append("# HELP ").append(head.name).append(" ");
  append_escaped(out, head.help, false);
  out.append("\n# TYPE ").append(head.name).append(" ").append(type_name(head.type)) += '\n';
  for (const MetricFamily* piece : pieces) {
    for (const auto& series : piece->series) {
      if (head.type == MetricType::kHistogram || head.type == MetricType::kSummary) {
        append_histogram(out, head.name, series, head.type == MetricType::kHistogram);
        continue;
      }
      append_series_name(out, head.name, "", series.labels);
      out += ' ';
      append_value(out, series.value);
      out += '\n';
    }
  }
}

}  // namespace

std::string render_prometheus_text(const std::vector<const Readings*>& parts) {
  std::vector<std::vector<const MetricFamily*>> families;
  std::unordered_map<std::string_view, size_t> index;
  size_t series = 0;
  for (const Readings* part : parts) {
    for (const auto& family : part->families()) {
      auto [at, added] = index.try_emplace(family.name, families.size());
      if (added) families.emplace_back();
      families[at->second].push_back(&family);
      series += family.series.size();
    }
  }
  std::string out;
  out.reserve(series * 128);
  for (const auto& pieces : families) append_family(out, pieces);
  return out;
}

std::string render_prometheus_text(const Readings& readings) {
  return render_prometheus_text(std::vector<const Readings*>{&readings});
}

}  // namespace cdcwatch
