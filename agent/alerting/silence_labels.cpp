#include "agent/alerting/silence_labels.h"

namespace cdcwatch {
namespace {

const HopSnapshot* most_upstream_failing(const PipelineSnapshot& pipeline) {
  const HopSnapshot* root = nullptr;
  for (const auto& hop : pipeline.hops) {
    if (hop.status != "failing") continue;
    if (!root || upstream_rank(hop.hop) < upstream_rank(root->hop)) root = &hop;
  }
  return root;
}

}  // namespace

std::vector<Labels> silence_label_sets(const ActiveInstance& instance, const Labels& alert_labels,
                                       const std::vector<PipelineSnapshot>& pipelines) {
  std::vector<Labels> out = {alert_labels};
  if (instance.placed.size() != 1) return out;
  const Attribution& placed = instance.placed.front();
  for (const auto& pipeline : pipelines) {
    if (pipeline.name != placed.pipeline) continue;
    const HopSnapshot* root = most_upstream_failing(pipeline);
    if (!root || upstream_rank(root->hop) >= upstream_rank(placed.hop)) return out;
    Labels at_root = alert_labels;
    for (auto& [name, value] : at_root) {
      if (name == "hop") value = root->hop;
    }
    out.push_back(std::move(at_root));
  }
  return out;
}

}  // namespace cdcwatch
