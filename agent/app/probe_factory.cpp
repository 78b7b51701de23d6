#include "agent/app/probe_factory.h"

#include <functional>
#include <map>

#include "probes/canary/canary_probes.h"
#include "probes/connect/connect_probe.h"
#include "probes/consistency/consistency_probe.h"
#include "probes/kafka_lag/kafka_lag_probe.h"
#include "probes/pg_slots/pg_slots_probe.h"

namespace cdcwatch {

std::vector<std::unique_ptr<Probe>> build_probes(const Config& config, const Clock& clock) {
  std::vector<std::unique_ptr<Probe>> probes;
  (void)clock;
  for (const auto& source : config.postgres) {
    probes.push_back(make_pg_slots_probe(source, config.agent.interval));
  }
  std::map<std::string, KafkaLagProbe*> lag_probes;
  for (const auto& cluster : config.kafka) {
    auto probe = std::make_unique<KafkaLagProbe>(cluster, config.agent.interval);
    lag_probes[cluster.name] = probe.get();
    probes.push_back(std::move(probe));
  }
  for (const auto& connect : config.connect) {
    const KafkaClusterConfig* kafka = connect.kafka ? config.find_kafka(*connect.kafka) : nullptr;
    std::function<void(const std::vector<std::string>&)> share_groups;
    if (kafka) {
      // Both probes live as long as the agent's scheduler; the lag probe guards its group set.
      KafkaLagProbe* lag = lag_probes.at(kafka->name);
      share_groups = [lag,
                      source = "connect/" + connect.name](const std::vector<std::string>& groups) {
        lag->set_learnt_groups(source, groups);
      };
    }
    probes.push_back(
        std::make_unique<ConnectProbe>(connect, kafka, config.agent.interval, share_groups));
  }
  for (const auto& canary : config.canaries) {
    auto canary_probes =
        make_canary_probes(canary, *config.find_postgres(canary.postgres),
                           canary.kafka ? config.find_kafka(*canary.kafka) : nullptr);
    for (auto& probe : canary_probes) probes.push_back(std::move(probe));
  }
  for (const auto& check : config.consistency) {
    const PgSourceConfig& source = *config.find_postgres(check.postgres);
    probes.push_back(std::make_unique<ConsistencyProbe>(
        check, make_postgres_side(source.dsn, check.statement_timeout),
        make_warehouse_side(*config.find_warehouse(check.warehouse), check.statement_timeout)));
  }
  return probes;
}

}  // namespace cdcwatch
