#include "probes/canary/canary_probes.h"

#include "probes/canary/canary_writer_probe.h"
#include "probes/canary/kafka_observer_probe.h"
#include "probes/canary/warehouse_observer_probe.h"

namespace cdcwatch {

std::vector<std::unique_ptr<Probe>> make_canary_probes(const CanaryConfig& canary,
                                                       const PgSourceConfig& source,
                                                       const KafkaClusterConfig* kafka) {
  auto timeline = std::make_shared<CanaryTimeline>();
  std::vector<std::unique_ptr<Probe>> probes;
  probes.push_back(std::make_unique<CanaryWriterProbe>(canary, source, timeline));
  if (kafka) probes.push_back(std::make_unique<KafkaObserverProbe>(canary, *kafka, timeline));
  if (canary.warehouse) {
    probes.push_back(std::make_unique<WarehouseObserverProbe>(
        canary, make_warehouse_reader(*canary.warehouse), timeline));
  }
  return probes;
}

}  // namespace cdcwatch
