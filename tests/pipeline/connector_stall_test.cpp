// The stall rule, moved from the Connect probe into the pipeline stage (#16): the rule as a table,
// and its inputs gathered from the readings store through the probes' metric constants.
#include "agent/pipeline/connector_stall.h"

#include <gtest/gtest.h>

#include "agent/core/readings_store.h"
#include "probes/connect/connect_metrics.h"
#include "probes/kafka_lag/lag_metrics.h"
#include "probes/pg_slots/slot_metrics.h"

namespace cdcwatch {
namespace {

using namespace std::chrono_literals;

TEST(StallRule, StalledOnlyWhenRunningWithInputWaitingAndNoProgressForStallAfter) {
  struct Row {
    const char* what;
    StallInputs inputs;
    bool stalled;
  };
  const Row rows[] = {
      {"running, waiting, frozen for stall_after", {true, true, 300}, true},
      {"frozen a second short of stall_after", {true, true, 299}, false},
      {"nothing waiting: idle, not stalled", {true, false, 3600}, false},
      {"input unknown: not stalled", {true, std::nullopt, 3600}, false},
      {"progress unknown: not stalled", {true, true, std::nullopt}, false},
      {"a task not RUNNING (FAILED, PAUSED): its own state, not a stall",
       {false, true, 3600},
       false},
  };
  for (const auto& row : rows) {
    EXPECT_EQ(is_stalled(row.inputs, Millis(300000)), row.stalled) << row.what;
  }
}

struct StallWatchTest : ::testing::Test {
  void connector(const std::string& name, const std::string& type, Readings& r) {
    Labels labels = {{"connect", "main"}, {"connector", name}, {"type", type}};
    r.set(connect_metrics::kState,
          {{"connect", "main"}, {"connector", name}, {"type", type}, {"state", "RUNNING"}}, 1);
    r.set(connect_metrics::kTasks,
          {{"connect", "main"}, {"connector", name}, {"type", type}, {"state", "RUNNING"}}, 2);
    r.set(connect_metrics::kTasks,
          {{"connect", "main"}, {"connector", name}, {"type", type}, {"state", "FAILED"}}, 0);
  }
  StallVerdict judge(const ConnectorInfo& info) {
    return watch.judge(info, std::string("msk"), Millis(120000), store, clock.now());
  }

  FakeClock clock{TimePoint(std::chrono::seconds(1'795'643'243))};
  ReadingsStore store;
  StallWatch watch;
};

TEST_F(StallWatchTest, ASinkWithoutTheOffsetsApiIsTimedByItsGroupsCommittedOffsets) {
  Readings connect;
  connector("orders-snowflake", "sink", connect);  // no seconds_since_progress: an old worker
  store.publish("connect/main", connect);
  ConnectorInfo sink{"main", "orders-snowflake", "sink", {}};
  auto group = [&](double committed, double lag) {
    Readings r;
    Labels labels = {{"kafka", "msk"}, {"group", "connect-orders-snowflake"}};
    r.set(kafka_lag_metrics::kGroupCommittedOffsets, labels, committed);
    r.set(kafka_lag_metrics::kGroupLag, labels, lag);
    store.publish("kafka/msk", r);
  };
  group(100, 50);
  EXPECT_FALSE(judge(sink).stalled);
  clock.advance(119s);
  EXPECT_FALSE(judge(sink).stalled);
  clock.advance(1s);
  auto stalled = judge(sink);
  EXPECT_TRUE(stalled.stalled);
  EXPECT_EQ(stalled.inputs.seconds_since_progress, 120);
  EXPECT_EQ(stalled.input_note, "group connect-orders-snowflake lag 50");
  group(150, 50);
  clock.advance(15s);
  EXPECT_FALSE(judge(sink).stalled) << "a commit restarts the clock";
  EXPECT_EQ(judge(sink).inputs.seconds_since_progress, 0);
}

TEST_F(StallWatchTest, ASinkGroupsStallClockSurvivesARestart) {
  Readings connect;
  connector("orders-snowflake", "sink", connect);
  Readings group;
  Labels labels = {{"kafka", "msk"}, {"group", "connect-orders-snowflake"}};
  group.set(kafka_lag_metrics::kGroupCommittedOffsets, labels, 100);
  group.set(kafka_lag_metrics::kGroupLag, labels, 50);
  store.publish("connect/main", connect);
  store.publish("kafka/msk", group);
  ConnectorInfo sink{"main", "orders-snowflake", "sink", {}};
  judge(sink);
  clock.advance(100s);
  EXPECT_FALSE(judge(sink).stalled);
  nlohmann::json saved = watch.save();

  StallWatch restarted;
  EXPECT_EQ(restarted.restore(saved), 0);
  EXPECT_EQ(restarted.restore({{"connect/x", "not an object"}}), 1);
  clock.advance(20s);
  auto verdict = restarted.judge(sink, std::string("msk"), Millis(120000), store, clock.now());
  EXPECT_TRUE(verdict.stalled) << "frozen 120 s across the restart";
}

TEST_F(StallWatchTest, ASourceWaitsWhenTheServersWalIsBeyondItsLsnAndTheSlotLags) {
  Readings connect;
  connector("orders-source", "source", connect);
  Labels labels = {{"connect", "main"}, {"connector", "orders-source"}, {"type", "source"}};
  connect.set(connect_metrics::kSourceLsn, labels, 1'000'000);
  connect.set(connect_metrics::kSinceProgress, labels, 600);
  store.publish("connect/main", connect);
  Readings slots;
  slots.set(
      slot_metrics::kActive,
      {{"source", "shop"}, {"slot", "orders_slot"}, {"plugin", "pgoutput"}, {"database", "orders"}},
      1);
  slots.set(slot_metrics::kWalLsn, {{"source", "shop"}}, 1'250'000);
  slots.set(slot_metrics::kFlushLagBytes, {{"source", "shop"}, {"slot", "orders_slot"}}, 250'000);
  store.publish("pg_slots/shop", slots);
  ConnectorInfo source{"main",
                       "orders-source",
                       "source",
                       {{"slot.name", "orders_slot"}, {"database.dbname", "orders"}}};
  auto verdict = judge(source);
  EXPECT_TRUE(verdict.stalled);
  EXPECT_EQ(verdict.source_lag_bytes, 250'000);
  EXPECT_EQ(verdict.input_note, "slot orders_slot on postgres shop");

  ConnectorInfo elsewhere{"main",
                          "orders-source",
                          "source",
                          {{"slot.name", "orders_slot"}, {"database.dbname", "billing"}}};
  auto unseen = judge(elsewhere);
  EXPECT_FALSE(unseen.stalled) << "a slot no postgres: entry reports leaves input unknown";
  EXPECT_FALSE(unseen.source_lag_bytes);
  EXPECT_NE(unseen.input_note.find("add the source database"), std::string::npos);
}

}  // namespace
}  // namespace cdcwatch
