#include "agent/pipeline/hop_status.h"

namespace cdcwatch {
namespace {

int severity(HopStatus status) {
  switch (status) {
    case HopStatus::kOk:
      return 0;
    case HopStatus::kUnknown:
      return 1;
    case HopStatus::kDegraded:
      return 2;
    case HopStatus::kFailing:
      return 3;
  }
  return 3;
}

// Within one hop a reading that says ok outweighs a rule that could not look.
int weight(HopStatus status) { return status == HopStatus::kUnknown ? -1 : severity(status); }

}  // namespace

const char* to_string(HopStatus status) {
  switch (status) {
    case HopStatus::kOk:
      return "ok";
    case HopStatus::kDegraded:
      return "degraded";
    case HopStatus::kFailing:
      return "failing";
    case HopStatus::kUnknown:
      return "unknown";
  }
  return "unknown";
}

std::optional<HopStatus> hop_status_named(const std::string& name) {
  for (HopStatus status : kAllHopStatuses) {
    if (name == to_string(status)) return status;
  }
  return std::nullopt;
}

HopStatus worst(HopStatus a, HopStatus b) { return severity(a) >= severity(b) ? a : b; }

void HopVerdict::note(HopStatus found, const std::string& why) {
  bool first = reason.empty();
  if (first || weight(found) > weight(status)) {
    status = found;
    reason = why;
  }
}

std::optional<double> HopVerdict::read(const ReadingsView& latest, const MetricDef& def,
                                       const Labels& match) {
  auto found = latest.find(def.name, match);
  if (found.empty()) return std::nullopt;
  readings.push_back({def.name, found.front().labels, found.front().value});
  return found.front().value;
}

}  // namespace cdcwatch
