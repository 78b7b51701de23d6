// Renders readings in the Prometheus text exposition format (version 0.0.4:
// https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format): one HELP and
// TYPE line per family, then its samples; histograms as cumulative _bucket{le}, _sum and _count.
// Written straight into one string, since /metrics may carry 100,000 series.
#pragma once

#include <string>
#include <vector>

#include "agent/core/readings.h"

namespace cdcwatch {

// Several readings as one exposition: same-named families of different parts (probes) are
// written together under one header, in the order they first appear. Nothing is copied.
std::string render_prometheus_text(const std::vector<const Readings*>& parts);
std::string render_prometheus_text(const Readings& readings);

}  // namespace cdcwatch
