// Turns the parsed config into probe instances, one per source, cluster, worker or canary, and
// the pipeline stage, which publishes the pipelines to `board`.
#pragma once

#include <memory>
#include <vector>

#include "agent/app/config.h"
#include "agent/core/clock.h"
#include "agent/core/probe.h"
#include "agent/pipeline/pipeline_board.h"

namespace cdcwatch {

std::vector<std::unique_ptr<Probe>> build_probes(const Config& config, const Clock& clock,
                                                 PipelineBoard& board);

}  // namespace cdcwatch
