// Turns the parsed config into probe instances, one per source, cluster, worker or canary.
#pragma once

#include <memory>
#include <vector>

#include "agent/app/config.h"
#include "agent/core/clock.h"
#include "agent/core/probe.h"

namespace cdcwatch {

std::vector<std::unique_ptr<Probe>> build_probes(const Config& config, const Clock& clock);

}  // namespace cdcwatch
