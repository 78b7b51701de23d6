// Places every active alert instance on its pipelines (pipeline_attribution.h) each evaluation,
// and remembers each firing instance's last placement: before the pipeline stage publishes (the
// first seconds after a restart) the board is empty, and an open pipeline incident must not fall
// apart into per-alert pages meanwhile. A placement is kept for an instance only while it is
// active. Not thread-safe.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "agent/alerting/alert_rule.h"
#include "agent/alerting/incident_book.h"
#include "agent/alerting/pipeline_attribution.h"

namespace cdcwatch {

class InstancePlacement {
 public:
  // Sets `placed` on each instance. `board_published`: the stage has published at least once.
  void place(std::vector<ActiveInstance>& active, const std::vector<AlertRule>& rules,
             const std::vector<PipelineSnapshot>& pipelines, bool board_published);
  // A placement read back from the state file.
  void remember(const std::string& alert, const Labels& labels, std::vector<Attribution> placed);
  std::vector<Attribution> of(const std::string& alert, const Labels& labels) const;

 private:
  std::map<std::pair<std::string, Labels>, std::vector<Attribution>> last_;
};

}  // namespace cdcwatch
