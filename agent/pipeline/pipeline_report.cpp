#include "agent/pipeline/pipeline_report.h"

#include "agent/pipeline/pipeline_config.h"

namespace cdcwatch {
namespace {

std::string unit_of(const std::string& metric) {
  for (const char* unit : {"bytes", "seconds", "messages"}) {
    std::string suffix = std::string("_") + unit;
    if (metric.size() > suffix.size() &&
        metric.compare(metric.size() - suffix.size(), suffix.size(), suffix) == 0) {
      return unit;
    }
  }
  return "";
}

nlohmann::json reading_json(const Evidence& evidence) {
  nlohmann::json labels = nlohmann::json::object();
  for (const auto& [name, value] : evidence.labels) labels[name] = value;
  return {{"metric", evidence.metric},
          {"labels", labels},
          {"value", evidence.value},
          {"unit", unit_of(evidence.metric)}};
}

nlohmann::json hop_json(const JudgedHop& hop, TimePoint now) {
  nlohmann::json readings = nlohmann::json::array();
  for (const auto& evidence : hop.verdict.readings) readings.push_back(reading_json(evidence));
  return {{"hop", to_string(hop.verdict.hop)},
          {"status", to_string(hop.verdict.status)},
          {"reason", hop.verdict.reason},
          {"since", format_timestamp(hop.since)},
          {"for_seconds", std::chrono::duration<double>(now - hop.since).count()},
          {"key_reading", readings.empty() ? nlohmann::json(nullptr) : readings.front()},
          {"readings", readings}};
}

}  // namespace

nlohmann::json report_pipeline(const PipelineDef& pipeline, const std::vector<JudgedHop>& hops,
                               std::optional<double> freshness_seconds, TimePoint now) {
  HopStatus overall = HopStatus::kOk;
  nlohmann::json hop_list = nlohmann::json::array();
  for (const auto& hop : hops) {
    overall = worst(overall, hop.verdict.status);
    hop_list.push_back(hop_json(hop, now));
  }
  nlohmann::json out = describe(pipeline);
  out["status"] = to_string(overall);
  out["freshness_seconds"] = freshness_seconds ? nlohmann::json(*freshness_seconds) : nullptr;
  out["hops"] = hop_list;
  return out;
}

}  // namespace cdcwatch
