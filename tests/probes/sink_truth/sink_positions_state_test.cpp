// The sink-truth probe's saved state (each partition's progress clock) stays under the state
// store's cap, or the store refuses all of it and a restart loses every clock.
#include <gtest/gtest.h>

#include "agent/core/probe_state_store.h"
#include "probes/sink_truth/sink_positions.h"

namespace cdcwatch {
namespace {

TEST(SinkPositionsState, TwentyThousandPartitionsWithDebeziumTopicNamesFitTheStore) {
  nlohmann::json progress = nlohmann::json::array();
  for (int p = 0; p < 20'000; ++p) {
    // Debezium names topics <prefix>.<schema>.<table>.
    progress.push_back({{"topic", "shopstream.public.order_line_items_" + std::to_string(p / 100)},
                        {"partition", p % 100},
                        {"next", 1'000'000'000 + p},
                        {"since_ms", 1'800'000'000'000 + p}});
  }
  SinkPositions positions;
  positions.restore({{"version", 1}, {"progress", progress}});
  nlohmann::json saved = positions.save();
  EXPECT_LT(saved.dump().size(), ProbeStateStore::kMaxStateBytes);
  EXPECT_GT(saved["progress"].size(), 5'000u) << "as many clocks as fit, not a token few";

  SinkPositions restarted;
  restarted.restore(saved);
  EXPECT_EQ(restarted.save(), saved) << "what was saved comes back";
}

}  // namespace
}  // namespace cdcwatch
