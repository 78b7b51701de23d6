#include "agent/app/probe_factory.h"

#include "probes/canary/canary_probes.h"
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
  for (const auto& canary : config.canaries) {
    auto canary_probes = make_canary_probes(canary, *config.find_postgres(canary.postgres),
                                            canary.kafka ? config.find_kafka(*canary.kafka) : nullptr);
    for (auto& probe : canary_probes) probes.push_back(std::move(probe));
  }
  return probes;
}

}  // namespace cdcwatch
