#include "agent/app/probe_factory.h"

namespace cdcwatch {

std::vector<std::unique_ptr<Probe>> build_probes(const Config& config, const Clock& clock) {
  std::vector<std::unique_ptr<Probe>> probes;
  (void)config;
  (void)clock;
  return probes;
}

}  // namespace cdcwatch
