#include "agent/app/probe_factory.h"

#include "probes/kafka_lag/kafka_lag_probe.h"
#include "probes/pg_slots/pg_slots_probe.h"

namespace cdcwatch {

std::vector<std::unique_ptr<Probe>> build_probes(const Config& config, const Clock& clock) {
  std::vector<std::unique_ptr<Probe>> probes;
  (void)clock;
  for (const auto& source : config.postgres) {
    probes.push_back(make_pg_slots_probe(source, config.agent.interval));
  }
  for (const auto& cluster : config.kafka) {
    probes.push_back(make_kafka_lag_probe(cluster, config.agent.interval));
  }
  return probes;
}

}  // namespace cdcwatch
