// The pipeline stage's own clocks across a restart (#15's hook): "failing since 14:02" survives,
// and so does a sink group's stall clock.
#include "agent/pipeline/pipeline_stage.h"

#include <gtest/gtest.h>

#include "agent/core/readings_store.h"
#include "probes/kafka_lag/lag_metrics.h"
#include "probes/pg_slots/slot_metrics.h"

namespace cdcwatch {
namespace {

using namespace std::chrono_literals;

struct StageStateTest : ::testing::Test {
  StageStateTest() {
    PipelineDef orders;
    orders.name = "orders";
    orders.postgres = "shop";
    setup.declared = {orders};
    Readings down;
    down.set(slot_metrics::kUp, {{"source", "shop"}}, 0);
    store.publish("pg_slots/shop", down);
  }
  nlohmann::json source_hop(PipelineStage& stage, PipelineBoard& board) {
    stage.collect({clock.now() + 5s, clock, store});
    return board.pipelines()[0]["hops"][0];
  }

  StageSetup setup;
  FakeClock clock{TimePoint(std::chrono::seconds(1'795'643'243))};
  ReadingsStore store;
};

TEST_F(StageStateTest, ARestartKeepsSinceWhenEachHopHasHadItsStatus) {
  PipelineBoard board;
  PipelineStage before(setup, board);
  EXPECT_EQ(source_hop(before, board)["status"], "failing");
  std::string failing_since = source_hop(before, board)["since"];
  clock.advance(100s);
  source_hop(before, board);
  nlohmann::json saved = before.save_state();

  PipelineStage after(setup, board);
  after.restore_state(saved);
  clock.advance(40s);
  nlohmann::json hop = source_hop(after, board);
  EXPECT_EQ(hop["since"], failing_since) << saved.dump();
  EXPECT_EQ(hop["for_seconds"], 140);

  PipelineStage forgetful(setup, board);
  forgetful.restore_state(
      nlohmann::json{{"hops", {1, {{"hop", 5}}, {{"pipeline", "orders"}}}}, {"sink_groups", "x"}});
  forgetful.restore_state(nlohmann::json::array());
  EXPECT_EQ(source_hop(forgetful, board)["for_seconds"], 0) << "malformed state is ignored";
}

TEST_F(StageStateTest, ARestoredStatusThatChangedStartsItsClockAfresh) {
  PipelineBoard board;
  PipelineStage stage(setup, board);
  stage.restore_state({{"hops",
                        {{{"pipeline", "orders"},
                          {"hop", "source"},
                          {"status", "ok"},
                          {"since", 1'795'000'000.0}}}}});
  EXPECT_EQ(source_hop(stage, board)["for_seconds"], 0) << "ok then, failing now: since now";
}

TEST(DeclaredPipelines, ASinkWithoutKafkaIsOnItsConnectEntrysKafka) {
  StageSetup setup;
  PipelineDef orders;
  orders.name = "orders";
  orders.sink = ConnectorRef{"main", "orders-snowflake"};
  setup.declared = {orders};
  setup.derivation.connect_kafka["main"] = "msk";
  ReadingsStore store;
  Readings kafka;
  kafka.set(kafka_lag_metrics::kUp, {{"kafka", "msk"}}, 1);
  store.publish("kafka/msk", kafka);
  PipelineBoard board;
  PipelineStage stage(setup, board);
  FakeClock clock;
  stage.collect({clock.now() + 5s, clock, store});
  EXPECT_EQ(board.pipelines()[0]["hops"][3]["status"], "ok") << board.pipelines().dump(2);
  EXPECT_EQ(board.pipelines()[0]["sink"]["kafka"], "msk");
}

}  // namespace
}  // namespace cdcwatch
