#include "agent/alerting/instance_placement.h"

namespace cdcwatch {

void InstancePlacement::place(std::vector<ActiveInstance>& active,
                              const std::vector<AlertRule>& rules,
                              const std::vector<PipelineSnapshot>& pipelines,
                              bool board_published) {
  std::map<std::pair<std::string, Labels>, std::vector<Attribution>> kept;
  for (auto& instance : active) {
    auto key = std::make_pair(rules[instance.rule].alert, instance.labels);
    auto last = last_.find(key);
    if (board_published || last == last_.end()) {
      instance.placed = attribute(instance.labels, pipelines);
    } else {
      instance.placed = last->second;
    }
    if (!instance.placed.empty()) kept[key] = instance.placed;
  }
  last_ = std::move(kept);
}

void InstancePlacement::remember(const std::string& alert, const Labels& labels,
                                 std::vector<Attribution> placed) {
  if (!placed.empty()) last_[{alert, labels}] = std::move(placed);
}

std::vector<Attribution> InstancePlacement::of(const std::string& alert,
                                               const Labels& labels) const {
  auto found = last_.find({alert, labels});
  return found == last_.end() ? std::vector<Attribution>{} : found->second;
}

}  // namespace cdcwatch
