// One pipeline as JSON for GET /api/pipelines and /status: its hops in order, each with status,
// reason, since when and the readings that decided it (the first is the key reading a page draws
// on the hop). Pure.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "agent/core/clock.h"
#include "agent/pipeline/hop_status.h"
#include "agent/pipeline/pipeline_def.h"

namespace cdcwatch {

struct JudgedHop {
  HopVerdict verdict;
  TimePoint since{};
};

nlohmann::json report_pipeline(const PipelineDef& pipeline, const std::vector<JudgedHop>& hops,
                               std::optional<double> freshness_seconds, TimePoint now);

}  // namespace cdcwatch
