#include "agent/pipeline/sink_group_learner.h"

#include "agent/pipeline/pipeline_def.h"

namespace cdcwatch {

SinkGroupLearner::SinkGroupLearner(std::unique_ptr<KafkaLagProbe> lag,
                                   std::vector<std::string> clusters,
                                   std::vector<std::string> declared_groups)
    : lag_(std::move(lag)), clusters_(std::move(clusters)) {
  if (!declared_groups.empty()) lag_->set_learnt_groups("pipelines", declared_groups);
}

CollectOutcome SinkGroupLearner::collect(const CollectContext& ctx) {
  catalog_.update(ctx.latest, clusters_);
  std::map<std::string, std::vector<std::string>> groups;
  for (const auto& cluster : clusters_) groups[cluster];
  for (const auto& connector : catalog_.connectors()) {
    if (connector.type == "sink") groups[connector.connect].push_back(sink_group(connector.name));
  }
  for (const auto& [cluster, learnt] : groups)
    lag_->set_learnt_groups("connect/" + cluster, learnt);
  return lag_->collect(ctx);
}

}  // namespace cdcwatch
