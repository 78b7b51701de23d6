// Which labels a silence may match a pipeline's alert on: its own hop, and the pipeline's failing
// root hop when that lies upstream (the pipeline incident lists the symptom under it).
#include "agent/alerting/silence_labels.h"

#include <gtest/gtest.h>

#include "agent/silences/matcher.h"

namespace cdcwatch {
namespace {

PipelineSnapshot pipeline(const std::string& name, std::map<std::string, std::string> statuses) {
  PipelineSnapshot out;
  out.name = name;
  for (const char* hop : {"source", "slot", "capture", "kafka", "sink", "warehouse"}) {
    HopSnapshot snapshot;
    snapshot.hop = hop;
    snapshot.status = statuses.contains(hop) ? statuses[hop] : "ok";
    out.hops.push_back(snapshot);
  }
  return out;
}

ActiveInstance placed_on(std::vector<Attribution> placed) {
  ActiveInstance instance;
  instance.placed = std::move(placed);
  return instance;
}

bool silenced_by(const std::string& match, const ActiveInstance& instance, const Labels& labels,
                 const std::vector<PipelineSnapshot>& pipelines) {
  Matcher matcher = parse_matcher(match);
  for (const auto& set : silence_label_sets(instance, labels, pipelines)) {
    if (matcher.matches(set)) return true;
  }
  return false;
}

TEST(SilenceLabels, ASinkSilenceHoldsTheWarehouseSymptomTheSinkCauses) {
  const Labels canary = {{"alert", "CdcCanaryStaleAtWarehouse"},
                         {"canary", "shop"},
                         {"hop", "warehouse"},
                         {"pipeline", "orders"}};
  auto instance = placed_on({{"orders", "warehouse"}});
  struct Case {
    std::map<std::string, std::string> statuses;
    const char* match;
    bool held;
  };
  for (const Case& c : {
           Case{{{"sink", "failing"}, {"warehouse", "failing"}}, "pipeline=orders,hop=sink", true},
           Case{{{"sink", "failing"}}, "pipeline=orders,hop=warehouse", true},
           Case{
               {{"sink", "degraded"}, {"warehouse", "failing"}}, "pipeline=orders,hop=sink", false},
           Case{{{"slot", "failing"}, {"sink", "failing"}}, "pipeline=orders,hop=sink", false},
           Case{{}, "pipeline=orders,hop=sink", false},
           Case{{{"sink", "failing"}}, "pipeline=payments,hop=sink", false},
       }) {
    EXPECT_EQ(silenced_by(c.match, instance, canary, {pipeline("orders", c.statuses)}), c.held)
        << c.match << " with " << nlohmann::json(c.statuses).dump();
  }
}

TEST(SilenceLabels, AnAlertOfSeveralPipelinesKeepsItsOwnLabelsOnly) {
  const Labels shared = {
      {"alert", "CdcPostgresDown"}, {"hop", "source"}, {"pipeline", "orders,payments"}};
  auto sets = silence_label_sets(placed_on({{"orders", "source"}, {"payments", "source"}}), shared,
                                 {pipeline("orders", {{"source", "failing"}})});
  ASSERT_EQ(sets.size(), 1u);
  EXPECT_EQ(sets[0], shared);
}

}  // namespace
}  // namespace cdcwatch
