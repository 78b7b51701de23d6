// A hop's status and the readings that decided it. Statuses, most severe first:
//   failing   data does not get through this hop (or it is about to be lost)
//   degraded  it gets through, but something needs a look (paused, behind, WAL at risk)
//   ok        every reading the hop's rules use says it works
//   unknown   cdcwatch cannot see the hop (no probe reads it, or its probe cannot reach it), or
//             only freshness speaks for it while a hop upstream is failing; never counted as ok
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "agent/core/readings.h"
#include "agent/core/readings_view.h"
#include "agent/pipeline/pipeline_def.h"

namespace cdcwatch {

enum class HopStatus { kOk, kDegraded, kFailing, kUnknown };
inline constexpr HopStatus kAllHopStatuses[] = {HopStatus::kOk, HopStatus::kDegraded,
                                                HopStatus::kFailing, HopStatus::kUnknown};
const char* to_string(HopStatus status);
std::optional<HopStatus> hop_status_named(const std::string& name);
// failing > degraded > unknown > ok: a pipeline's status is its worst hop's.
HopStatus worst(HopStatus a, HopStatus b);

// One reading a rule looked at; the first of a hop's is its key reading.
struct Evidence {
  std::string metric;
  Labels labels;
  double value = 0;
};

struct HopVerdict {
  Hop hop = Hop::kSource;
  HopStatus status = HopStatus::kUnknown;
  std::string reason;
  std::vector<Evidence> readings;
  bool by_freshness_only = false;  // only the canary's freshness judged it

  // Keeps the most severe finding (failing > degraded > ok > unknown) and its reason.
  void note(HopStatus found, const std::string& why);
  // The value of `def`'s first series matching `match`, recorded as evidence when present.
  std::optional<double> read(const ReadingsView& latest, const MetricDef& def, const Labels& match);
};

}  // namespace cdcwatch
