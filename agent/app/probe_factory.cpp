#include "agent/app/probe_factory.h"

#include "agent/core/text_case.h"
#include "agent/pipeline/pipeline_stage.h"
#include "agent/pipeline/sink_group_learner.h"
#include "probes/canary/canary_probes.h"
#include "probes/connect/connect_probe.h"
#include "probes/consistency/consistency_probe.h"
#include "probes/kafka_lag/kafka_lag_probe.h"
#include "probes/pg_slots/pg_slots_probe.h"
#include "probes/pgconn/dsn_endpoints.h"
#include "probes/sink_truth/sink_truth_probe.h"

namespace cdcwatch {
namespace {

// The lag probe of `cluster`, learning the sink groups of the Connect clusters that commit there
// through the readings store.
std::unique_ptr<Probe> make_lag_probe(const Config& config, const KafkaClusterConfig& cluster) {
  std::vector<std::string> clusters;
  for (const auto& connect : config.connect) {
    if (connect.kafka == cluster.name) clusters.push_back(connect.name);
  }
  std::vector<std::string> declared_groups;
  for (const auto& pipeline : config.pipelines) {
    if (pipeline.sink && pipeline.kafka == cluster.name) {
      declared_groups.push_back(sink_group(pipeline.sink->connector));
    }
  }
  return std::make_unique<SinkGroupLearner>(
      std::make_unique<KafkaLagProbe>(cluster, config.agent.interval), std::move(clusters),
      std::move(declared_groups));
}

StageSetup stage_setup(const Config& config) {
  StageSetup setup;
  setup.declared = config.pipelines;
  setup.interval = config.agent.interval;
  for (const auto& source : config.postgres) {
    setup.derivation.postgres.push_back(source.name);
    auto& addresses = setup.derivation.postgres_addresses[source.name];
    for (const auto& [host, port] : dsn_endpoints(source.dsn.value))
      addresses.push_back(ascii_lower(host) + ":" + port);
  }
  for (const auto& connect : config.connect) {
    setup.derivation.connect_kafka[connect.name] = connect.kafka;
    setup.stall_after[connect.name] = connect.stall_after;
  }
  for (const auto& canary : config.canaries) {
    setup.derivation.canaries.push_back({canary.name, canary.postgres, canary.warehouse_name});
  }
  return setup;
}

}  // namespace

std::vector<std::unique_ptr<Probe>> build_probes(const Config& config, const Clock& clock,
                                                 PipelineBoard& board) {
  std::vector<std::unique_ptr<Probe>> probes;
  (void)clock;
  for (const auto& source : config.postgres) {
    probes.push_back(make_pg_slots_probe(source, config.agent.interval));
  }
  for (const auto& cluster : config.kafka) probes.push_back(make_lag_probe(config, cluster));
  for (const auto& connect : config.connect) {
    const KafkaClusterConfig* kafka = connect.kafka ? config.find_kafka(*connect.kafka) : nullptr;
    probes.push_back(std::make_unique<ConnectProbe>(connect, kafka, config.agent.interval));
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
  for (const auto& sink : config.sinks) {
    probes.push_back(std::make_unique<SinkTruthProbe>(
        sink, *config.find_kafka(sink.kafka), *config.find_warehouse(sink.warehouse)->snowflake));
  }
  if (!config.connect.empty() || !config.pipelines.empty()) {
    probes.push_back(std::make_unique<PipelineStage>(stage_setup(config), board));
  }
  return probes;
}

}  // namespace cdcwatch
