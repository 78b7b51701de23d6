// One canary's probes, sharing a timeline: the writer, and the Kafka and warehouse observers
// when configured. Each runs on its own worker, so a slow warehouse never delays the writer.
#pragma once

#include <memory>
#include <vector>

#include "agent/core/probe.h"
#include "probes/canary/canary_config.h"
#include "probes/kafkaconn/kafka_cluster_config.h"
#include "probes/pgconn/pg_source_config.h"

namespace cdcwatch {

// `kafka` is the cluster the canary's kafka: names, or null when it has none.
std::vector<std::unique_ptr<Probe>> make_canary_probes(const CanaryConfig& canary,
                                                       const PgSourceConfig& source,
                                                       const KafkaClusterConfig* kafka);

}  // namespace cdcwatch
