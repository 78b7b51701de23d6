// Renders readings in the Prometheus text exposition format with prometheus-cpp's serializer.
#pragma once

#include <string>

#include "agent/core/readings.h"

namespace cdcwatch {

std::string render_prometheus_text(const Readings& readings);

}  // namespace cdcwatch
