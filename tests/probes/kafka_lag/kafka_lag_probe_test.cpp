// The consumer-lag probe against librdkafka's mock cluster (the real Kafka protocol on loopback).
#include "probes/kafka_lag/kafka_lag_probe.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <thread>

#include "agent/app/agent.h"
#include "agent/core/probe_state_store.h"
#include "agent/core/readings_store.h"
#include "tests/support/agent_metrics.h"
#include "tests/support/child_process.h"
#include "tests/support/kafka_mock_cluster.h"

namespace cdcwatch {
namespace {

using namespace std::chrono_literals;

struct LagTest : ::testing::Test {
  KafkaClusterConfig config(std::vector<std::string> groups = {"connect-snowflake-sink"}) {
    KafkaClusterConfig c;
    c.name = "msk";
    c.bootstrap_servers = kafka.bootstrap();
    c.consumer_groups = std::move(groups);
    c.window = 3;
    c.stop_after = Millis(300000);
    c.request_timeout = Millis(3000);
    return c;
  }
  CollectOutcome collect(KafkaLagProbe& probe) {
    return probe.collect({clock.now() + 10s, clock, store});
  }
  static Labels partition(const std::string& topic, int p,
                          const std::string& group = "connect-snowflake-sink") {
    return {{"kafka", "msk"}, {"group", group}, {"topic", topic}, {"partition", std::to_string(p)}};
  }

  // Two cycles of an interpolating probe: watermark 100 at t0, then 200 at t0+10s with the group
  // committed at 150, so the record at 150 reached the log at about t0+5s.
  CollectOutcome watch_the_watermark_rise(KafkaLagProbe& probe) {
    kafka.create_topic("t", 1);
    for (int i = 0; i < 100; ++i) kafka.produce("t", 0, "k", "v");
    EXPECT_TRUE(collect(probe).ok());
    clock.advance(10s);
    for (int i = 0; i < 100; ++i) kafka.produce("t", 0, "k", "v");
    kafka.commit("connect-snowflake-sink", "t", 0, 150);
    return collect(probe);
  }
  KafkaClusterConfig interpolating() {
    KafkaClusterConfig c = config();
    c.lag_seconds_method = LagSecondsMethod::kInterpolation;
    return c;
  }

  testing::KafkaMockCluster kafka{1};
  FakeClock clock{TimePoint(std::chrono::milliseconds(1'800'000'000'000))};
  ReadingsStore store;
};

TEST_F(LagTest, ExactLagAcrossPartitionsAndTopics) {
  kafka.create_topic("orders.public.orders", 3);
  kafka.create_topic("orders.public.customers", 2);
  for (int p = 0; p < 3; ++p) {
    for (int i = 0; i < 5 + p; ++i) kafka.produce("orders.public.orders", p, "k", "v");
  }
  for (int i = 0; i < 4; ++i) kafka.produce("orders.public.customers", 0, "k", "v");
  kafka.commit("connect-snowflake-sink", "orders.public.orders", 0, 5);
  kafka.commit("connect-snowflake-sink", "orders.public.orders", 1, 2);
  kafka.commit("connect-snowflake-sink", "orders.public.customers", 0, 1);

  KafkaLagProbe probe(config(), Millis(15000));
  auto outcome = collect(probe);
  ASSERT_TRUE(outcome.ok()) << outcome.error_message;
  const Readings& r = outcome.readings;
  EXPECT_EQ(r.value("cdcwatch_kafka_up", {{"kafka", "msk"}}), 1);
  EXPECT_EQ(r.value("cdcwatch_kafka_consumer_lag_messages", partition("orders.public.orders", 0)),
            0);
  EXPECT_EQ(r.value("cdcwatch_kafka_consumer_lag_messages", partition("orders.public.orders", 1)),
            4);
  EXPECT_EQ(r.value("cdcwatch_kafka_committed_offset", partition("orders.public.orders", 1)), 2);
  EXPECT_EQ(r.value("cdcwatch_kafka_consumer_lag_messages", partition("orders.public.orders", 2)),
            7)
      << "no commit: counted from the low watermark";
  EXPECT_EQ(r.value("cdcwatch_kafka_partition_no_commit", partition("orders.public.orders", 2)), 1);
  EXPECT_FALSE(r.value("cdcwatch_kafka_committed_offset", partition("orders.public.orders", 2)));
  EXPECT_EQ(
      r.value("cdcwatch_kafka_consumer_lag_messages", partition("orders.public.customers", 0)), 3);
  EXPECT_EQ(r.value("cdcwatch_kafka_high_watermark",
                    {{"kafka", "msk"}, {"topic", "orders.public.orders"}, {"partition", "2"}}),
            7);
  EXPECT_EQ(r.value("cdcwatch_kafka_consumer_group_lag_messages",
                    {{"kafka", "msk"}, {"group", "connect-snowflake-sink"}}),
            0 + 4 + 7 + 3 + 0);
  EXPECT_EQ(r.value("cdcwatch_kafka_consumer_group_committed_offsets",
                    {{"kafka", "msk"}, {"group", "connect-snowflake-sink"}}),
            5 + 2 + 1);
  const MetricFamily* deprecated = r.family("cdcwatch_kafka_consumer_group_committed_offset");
  ASSERT_NE(deprecated, nullptr) << "the deprecated series stays until users have moved";
  ASSERT_EQ(deprecated->series.size(), 1u);
  ASSERT_TRUE(deprecated->series[0].histogram);
  EXPECT_EQ(deprecated->series[0].histogram->sum, 5 + 2 + 1);
  EXPECT_EQ(deprecated->series[0].histogram->count, 3u) << "the partitions summed";
  EXPECT_EQ(
      r.value("cdcwatch_kafka_consumer_topic_lag_messages", {{"kafka", "msk"},
                                                             {"group", "connect-snowflake-sink"},
                                                             {"topic", "orders.public.orders"}}),
      11);
}

// Without a commit on any watched topic (and no topics: filter) a group is counted on no partition:
// its lag is unknown, never 0 and `ok`.
TEST_F(LagTest, AGroupCountedOnNoPartitionHasNoLagAndNoStatusAndIsNamedInStatus) {
  kafka.create_topic("t", 1);
  for (int i = 0; i < 3; ++i) kafka.produce("t", 0, "k", "v");
  kafka.commit("connect-snowflake-sink", "t", 0, 3);
  KafkaLagProbe probe(config({"connect-snowflake-sink", "never-committed"}), Millis(15000));
  auto outcome = collect(probe);
  ASSERT_TRUE(outcome.ok()) << outcome.error_message;
  const Readings& r = outcome.readings;
  Labels never = {{"kafka", "msk"}, {"group", "never-committed"}};
  EXPECT_FALSE(r.value("cdcwatch_kafka_consumer_group_lag_messages", never))
      << "unknown, not a made-up 0";
  Labels ok = never;
  ok.emplace_back("status", "ok");
  EXPECT_FALSE(r.value("cdcwatch_kafka_consumer_group_status", ok)) << "no status to judge";
  EXPECT_FALSE(r.value("cdcwatch_kafka_consumer_group_committed_offsets", never));
  EXPECT_EQ(r.value("cdcwatch_kafka_consumer_group_lag_messages",
                    {{"kafka", "msk"}, {"group", "connect-snowflake-sink"}}),
            0);
  const auto& status = outcome.status["groups"]["never-committed"];
  EXPECT_EQ(status["status"], "unknown") << status.dump();
  EXPECT_NE(status.value("reason", "").find("no commit"), std::string::npos) << status.dump();
  EXPECT_EQ(outcome.status["groups_unknown"], 1) << outcome.status.dump();
}

// The topics a group is counted on are the ones it is asked for: with `topics` set, a group's first
// commit on a topic it lagged on from the low watermark is seen on the very next cycle.
TEST_F(LagTest, ACommitOnACountedTopicIsSeenOnTheNextCycleNotTheNextFullScan) {
  kafka.create_topic("t1", 1);
  kafka.create_topic("t2", 1);
  for (int i = 0; i < 5; ++i) {
    kafka.produce("t1", 0, "k", "v");
    kafka.produce("t2", 0, "k", "v");
  }
  kafka.commit("connect-snowflake-sink", "t1", 0, 5);
  KafkaClusterConfig c = config();
  c.topics = {"t*"};
  KafkaLagProbe probe(c, Millis(15000));
  auto outcome = collect(probe);  // counted on nothing yet: its whole share, every partition
  ASSERT_TRUE(outcome.ok()) << outcome.error_message;
  EXPECT_EQ(outcome.readings.value("cdcwatch_kafka_consumer_lag_messages", partition("t2", 0)), 5)
      << "no commit on t2 yet: from the low watermark";
  kafka.commit("connect-snowflake-sink", "t2", 0, 5);
  clock.advance(15s);
  outcome = collect(probe);
  EXPECT_EQ(outcome.readings.value("cdcwatch_kafka_consumer_lag_messages", partition("t2", 0)), 0)
      << "t2 is counted, so it is asked for";
  EXPECT_EQ(outcome.readings.value("cdcwatch_kafka_partition_no_commit", partition("t2", 0)), 0);
}

// A group's commit on a topic it is not counted on is found by a rolling scan: a slice of the
// other partitions each cycle, all of them within scan_cycles(), never all at once (the full scan
// asked every partition on every tenth cycle: 10,000 OffsetFetch requests at 100,000 partitions
// and 100 groups). A tenth of wide per cycle, in partition order: partition 2,600 is in the sixth
// slice (the full scan found it on its tenth cycle). The cycle that finds the topic asks the rest
// of it at once, so a commit outside that slice is read, not taken for no commit.
TEST_F(LagTest, ACommitOnAPartitionNotYetScannedIsFoundWithinTheScanCyclesWithoutAFullScan) {
  kafka.create_topic("known", 1);
  kafka.create_topic("wide", 5000);
  kafka.commit("connect-snowflake-sink", "known", 0, 0);
  count_wire_traffic(true);  // before the probe makes its clients
  KafkaLagProbe probe(interpolating(), Millis(15000));
  ASSERT_TRUE(collect(probe).ok());  // counted on nothing yet: its whole share, every partition
  count_wire_traffic(false);
  kafka.commit("connect-snowflake-sink", "wide", 2600, 0);
  size_t cycles = RollingScan().scan_cycles(5001, 1);
  ASSERT_EQ(cycles, 10u);
  CollectOutcome outcome;
  uint64_t offset_fetches = 0;
  for (size_t cycle = 1; cycle <= cycles; ++cycle) {
    WireCounts before = probe.wire_counts();
    clock.advance(15s);
    outcome = collect(probe);
    ASSERT_TRUE(outcome.ok()) << outcome.error_message;
    offset_fetches = probe.wire_counts().requests_by_api_key[9] - before.requests_by_api_key[9];
    if (outcome.readings.value("cdcwatch_kafka_committed_offset", partition("wide", 2600))) {
      EXPECT_EQ(cycle, 6u) << "partitions 2,500 to 2,999 are the sixth slice";
      break;
    }
    EXPECT_EQ(offset_fetches, 1u)
        << "cycle " << cycle << ": one OffsetFetch (known's partition and 500 of wide's 5,000)";
    if (cycle == 1) kafka.commit("connect-snowflake-sink", "wide", 10, 0);  // its slice has passed
  }
  EXPECT_EQ(outcome.readings.value("cdcwatch_kafka_committed_offset", partition("wide", 2600)), 0)
      << "found within " << cycles << " cycles";
  EXPECT_EQ(offset_fetches, 1u + 5u) << "the slice, then the other 4,500 of wide in five lists";
  EXPECT_EQ(outcome.readings.value("cdcwatch_kafka_committed_offset", partition("wide", 10)), 0)
      << "read in the cycle that found wide";
  EXPECT_EQ(outcome.readings.value("cdcwatch_kafka_partition_no_commit", partition("wide", 10)), 0);
}

TEST_F(LagTest, LagInSecondsIsTheAgeOfTheRecordAtTheCommittedOffset) {
  kafka.create_topic("t", 1);
  int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock.now().time_since_epoch()).count();
  kafka.produce("t", 0, "k", "old", now_ms - 300000);
  kafka.produce("t", 0, "k", "newer", now_ms - 120000);
  kafka.produce("t", 0, "k", "newest", now_ms - 10000);
  kafka.commit("connect-snowflake-sink", "t", 0, 1);
  KafkaLagProbe probe(config(), Millis(15000));
  auto outcome = collect(probe);
  ASSERT_TRUE(outcome.ok()) << outcome.error_message;
  EXPECT_EQ(outcome.readings.value("cdcwatch_kafka_consumer_lag_seconds", partition("t", 0)), 120);
  EXPECT_EQ(outcome.readings.value("cdcwatch_kafka_consumer_group_max_lag_seconds",
                                   {{"kafka", "msk"}, {"group", "connect-snowflake-sink"}}),
            120);
  clock.advance(30s);
  outcome = collect(probe);
  EXPECT_EQ(outcome.readings.value("cdcwatch_kafka_consumer_lag_seconds", partition("t", 0)), 150)
      << "same offset: the cached timestamp ages with the clock";
  kafka.commit("connect-snowflake-sink", "t", 0, 3);
  outcome = collect(probe);
  EXPECT_EQ(outcome.readings.value("cdcwatch_kafka_consumer_lag_seconds", partition("t", 0)), 0);
}

TEST_F(LagTest, InterpolationEstimatesLagInSecondsFromTheWatermarkHistory) {
  KafkaLagProbe probe(interpolating(), Millis(15000));
  auto outcome = watch_the_watermark_rise(probe);
  ASSERT_TRUE(outcome.ok()) << outcome.error_message;
  Labels group = {{"kafka", "msk"}, {"group", "connect-snowflake-sink"}};
  EXPECT_DOUBLE_EQ(
      *outcome.readings.value("cdcwatch_kafka_consumer_lag_seconds", partition("t", 0)), 5);
  EXPECT_EQ(outcome.readings.value("cdcwatch_kafka_consumer_lag_seconds_interpolated", group), 1);
  clock.advance(20s);
  outcome = collect(probe);
  EXPECT_DOUBLE_EQ(
      *outcome.readings.value("cdcwatch_kafka_consumer_lag_seconds", partition("t", 0)), 25)
      << "no new records: the unconsumed record keeps ageing";
  EXPECT_EQ(outcome.status["lag_seconds_method"], "interpolation");
}

TEST_F(LagTest, ALaggingPartitionWhoseAgeIsUnknownHasNoLagInSecondsAndIsCounted) {
  kafka.create_topic("t", 2);
  for (int i = 0; i < 5; ++i) kafka.produce("t", 0, "k", "v");
  kafka.produce("t", 1, "k", "v");
  kafka.commit("connect-snowflake-sink", "t", 0, 2);
  kafka.commit("connect-snowflake-sink", "t", 1, 1);
  KafkaLagProbe probe(interpolating(), Millis(15000));  // one watermark seen: nothing to go on
  auto outcome = collect(probe);
  ASSERT_TRUE(outcome.ok()) << outcome.error_message;
  const Readings& r = outcome.readings;
  Labels group = {{"kafka", "msk"}, {"group", "connect-snowflake-sink"}};
  EXPECT_FALSE(r.value("cdcwatch_kafka_consumer_lag_seconds", partition("t", 0)))
      << "3 records behind, age unknown: absent, never 0";
  EXPECT_EQ(r.value("cdcwatch_kafka_consumer_lag_seconds", partition("t", 1)), 0)
      << "caught up: truly 0 s behind";
  EXPECT_FALSE(r.value("cdcwatch_kafka_consumer_group_max_lag_seconds", group))
      << "the known ages are only a lower bound";
  EXPECT_EQ(r.value("cdcwatch_kafka_consumer_lag_seconds_unknown_partitions", group), 1);
  const auto& status = outcome.status["groups"]["connect-snowflake-sink"];
  EXPECT_EQ(status["lag_seconds_unknown_partitions"], 1) << status.dump();
  EXPECT_TRUE(status["max_lag_seconds"].is_null()) << status.dump();

  clock.advance(15s);
  kafka.produce("t", 0, "k", "v");
  outcome = collect(probe);
  EXPECT_GT(outcome.readings.value("cdcwatch_kafka_consumer_lag_seconds", partition("t", 0)), 0)
      << "two watermark observations: the age is estimated";
  EXPECT_EQ(outcome.readings.value("cdcwatch_kafka_consumer_lag_seconds_unknown_partitions", group),
            0);
  EXPECT_TRUE(outcome.readings.value("cdcwatch_kafka_consumer_group_max_lag_seconds", group));
}

TEST_F(LagTest, AutoFallsBackToInterpolationWhenReadingRecordsIsNotPermitted) {
  kafka.create_topic("t", 1);
  for (int i = 0; i < 10; ++i) kafka.produce("t", 0, "k", "v");
  KafkaLagProbe probe(config(), Millis(15000));
  ASSERT_TRUE(collect(probe).ok());
  clock.advance(10s);
  for (int i = 0; i < 10; ++i) kafka.produce("t", 0, "k", "v");
  kafka.commit("connect-snowflake-sink", "t", 0, 15);
  // Every Fetch (ApiKey 1) answers TOPIC_AUTHORIZATION_FAILED, as for a principal without READ.
  std::vector<rd_kafka_resp_err_t> denied(50, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
  rd_kafka_mock_push_request_errors_array(kafka.raw(), 1, denied.size(), denied.data());
  auto outcome = collect(probe);
  ASSERT_TRUE(outcome.ok()) << outcome.error_message;
  Labels group = {{"kafka", "msk"}, {"group", "connect-snowflake-sink"}};
  EXPECT_DOUBLE_EQ(
      *outcome.readings.value("cdcwatch_kafka_consumer_lag_seconds", partition("t", 0)), 5);
  EXPECT_EQ(outcome.readings.value("cdcwatch_kafka_consumer_lag_seconds_interpolated", group), 1);
  EXPECT_NE(outcome.status.value("lag_seconds_fallback", "").find("grant READ"), std::string::npos)
      << outcome.status.dump();
}

TEST_F(LagTest, AutoInterpolatesWhenTheLaggingTopicsHaveMorePartitionsThanItReadsFrom) {
  kafka.create_topic("t", 3);
  for (int i = 0; i < 10; ++i) kafka.produce("t", 0, "k", "v");
  KafkaClusterConfig c = config();
  c.record_read_partition_limit = 2;  // the lagging topic has 3
  count_wire_traffic(true);           // the configurations here are good (kafka_handle.h)
  struct CountingOff {
    ~CountingOff() { count_wire_traffic(false); }
  } counting_off;
  KafkaLagProbe probe(c, Millis(15000));
  ASSERT_TRUE(collect(probe).ok());
  clock.advance(10s);
  for (int i = 0; i < 10; ++i) kafka.produce("t", 0, "k", "v");
  kafka.commit("connect-snowflake-sink", "t", 0, 15);
  auto outcome = collect(probe);
  ASSERT_TRUE(outcome.ok()) << outcome.error_message;
  EXPECT_EQ(probe.wire_counts().requests_by_api_key[1], 0u) << "no Fetch: no record was read";
  Labels group = {{"kafka", "msk"}, {"group", "connect-snowflake-sink"}};
  EXPECT_DOUBLE_EQ(
      *outcome.readings.value("cdcwatch_kafka_consumer_lag_seconds", partition("t", 0)), 5)
      << "offset 15 reached the log halfway between the two cycles";
  EXPECT_EQ(outcome.readings.value("cdcwatch_kafka_consumer_lag_seconds_interpolated", group), 1);
  EXPECT_NE(outcome.status.value("lag_seconds_fallback", "").find("3 partitions"),
            std::string::npos)
      << outcome.status.dump();

  c.record_read_partition_limit = 3;  // the same cluster within the limit: records are read
  KafkaLagProbe within(c, Millis(15000));
  outcome = collect(within);
  ASSERT_TRUE(outcome.ok()) << outcome.error_message;
  EXPECT_GT(within.wire_counts().requests_by_api_key[1], 0u) << "the record at offset 15 was read";
  EXPECT_EQ(outcome.readings.value("cdcwatch_kafka_consumer_lag_seconds_interpolated", group), 0);
  EXPECT_NE(*outcome.readings.value("cdcwatch_kafka_consumer_lag_seconds", partition("t", 0)), 5)
      << "the record's own timestamp (the real clock), not the fake clock's interpolation";
  EXPECT_FALSE(outcome.status.contains("lag_seconds_fallback")) << outcome.status.dump();
}

TEST_F(LagTest, StatusFollowsRealCommitsThroughStallRecoveryRewindAndStop) {
  kafka.create_topic("t", 1);
  for (int i = 0; i < 10; ++i) kafka.produce("t", 0, "k", "v");
  kafka.commit("connect-snowflake-sink", "t", 0, 4);
  KafkaLagProbe probe(config(), Millis(15000));
  auto status_is = [&](const char* status) {
    auto outcome = collect(probe);
    clock.advance(15s);
    return outcome.readings.value(
               "cdcwatch_kafka_consumer_group_status",
               {{"kafka", "msk"}, {"group", "connect-snowflake-sink"}, {"status", status}}) == 1;
  };
  EXPECT_TRUE(status_is("ok"));
  kafka.produce("t", 0, "k", "v");
  EXPECT_TRUE(status_is("ok"));
  EXPECT_TRUE(status_is("stall")) << "offset frozen across the window while lag waits";
  kafka.commit("connect-snowflake-sink", "t", 0, 8);
  EXPECT_TRUE(status_is("ok"));
  kafka.commit("connect-snowflake-sink", "t", 0, 2);
  EXPECT_TRUE(status_is("rewind"));
  clock.advance(10min);
  EXPECT_TRUE(status_is("stop")) << "no progress for longer than stop_after";
  kafka.commit("connect-snowflake-sink", "t", 0, 11);
  EXPECT_TRUE(status_is("ok"));
}

// A Connect sink commits every 60 s (offset.flush.interval.ms) and its topic receives one record
// after a long quiet spell: the stop clock counts from the last time the group was caught up, not
// from its last offset change ten minutes earlier.
TEST_F(LagTest, AQuietPartitionThatReceivesARecordAfterAnIdleSpellStaysOk) {
  kafka.create_topic("t", 1);
  kafka.produce("t", 0, "k", "v");
  kafka.commit("connect-snowflake-sink", "t", 0, 1);
  KafkaClusterConfig c = config();
  c.window = 10;
  KafkaLagProbe probe(c, Millis(15000));
  auto status = [&] {
    auto outcome = collect(probe);
    clock.advance(15s);
    for (ConsumerStatus s : kAllConsumerStatuses) {
      if (outcome.readings.value(
              "cdcwatch_kafka_consumer_group_status",
              {{"kafka", "msk"}, {"group", "connect-snowflake-sink"}, {"status", to_string(s)}}) ==
          1) {
        return std::string(to_string(s));
      }
    }
    return std::string("none");
  };
  for (int i = 0; i < 40; ++i) ASSERT_EQ(status(), "ok") << "idle and caught up, cycle " << i;
  kafka.produce("t", 0, "k", "v");
  for (int i = 0; i < 4; ++i) EXPECT_EQ(status(), "ok") << "waiting for the 60 s commit, " << i;
  kafka.commit("connect-snowflake-sink", "t", 0, 2);
  EXPECT_EQ(status(), "ok");
}

TEST_F(LagTest, ARestoredProbeKeepsItsWindowsSoAStallIsStillDetectedRightAfter) {
  kafka.create_topic("t", 1);
  for (int i = 0; i < 10; ++i) kafka.produce("t", 0, "k", "v");
  kafka.commit("connect-snowflake-sink", "t", 0, 4);
  KafkaLagProbe probe(config(), Millis(15000));  // a window of 3 observations
  auto stalled = [&](KafkaLagProbe& p) {
    auto outcome = collect(p);
    return outcome.readings.value(
               "cdcwatch_kafka_consumer_group_status",
               {{"kafka", "msk"}, {"group", "connect-snowflake-sink"}, {"status", "stall"}}) == 1;
  };
  for (int i = 0; i < 3; ++i) {
    clock.advance(15s);
    EXPECT_EQ(stalled(probe), i == 2);
  }
  nlohmann::json saved = nlohmann::json::parse(probe.save_state().dump());  // as written to disk

  clock.advance(15s);
  KafkaLagProbe restarted(config(), Millis(15000));
  restarted.restore_state(saved);
  EXPECT_TRUE(stalled(restarted)) << "the window survived the restart: " << saved.dump();
  KafkaLagProbe fresh(config(), Millis(15000));
  EXPECT_FALSE(stalled(fresh)) << "without the saved state a new window must fill first";

  clock.advance(5min);
  KafkaLagProbe later(config(), Millis(15000));
  later.restore_state(saved);
  auto outcome = collect(later);
  EXPECT_EQ(outcome.readings.value(
                "cdcwatch_kafka_consumer_group_status",
                {{"kafka", "msk"}, {"group", "connect-snowflake-sink"}, {"status", "stop"}}),
            1)
      << "the stop clock kept running from before the restart";
}

TEST_F(LagTest, ARestoredProbeInterpolatesLagInSecondsOnItsFirstCycle) {
  KafkaLagProbe probe(interpolating(), Millis(15000));
  ASSERT_TRUE(watch_the_watermark_rise(probe).ok());
  nlohmann::json saved = probe.save_state();

  clock.advance(20s);
  KafkaLagProbe restarted(interpolating(), Millis(15000));
  restarted.restore_state(saved);
  auto outcome = collect(restarted);
  EXPECT_DOUBLE_EQ(
      outcome.readings.value("cdcwatch_kafka_consumer_lag_seconds", partition("t", 0)).value_or(-1),
      25)
      << "offset 150 reached the log at about t0+5s, 25 s ago";
}

// At 100,000 partitions a state of every window was 26 MB: built after every cycle and then
// refused by the store (over ProbeStateStore::kMaxStateBytes), so a restart kept nothing. The
// state stays under the store's limit, windows that can page first.
TEST_F(LagTest, ALargeStateFitsTheStoreWithTheWindowsThatCanPageFirst) {
  KafkaClusterConfig c = config();
  c.window = 10;
  constexpr int kPartitions = 20'000;
  constexpr int kStalled = 5;  // the last partitions, which an unordered save would drop
  int64_t t = 1'800'000'000'000;
  nlohmann::json windows = nlohmann::json::array();
  nlohmann::json histories = nlohmann::json::array();
  for (int p = 0; p < kPartitions; ++p) {
    bool stalled = p >= kPartitions - kStalled;
    nlohmann::json observations = nlohmann::json::array();
    for (int i = 0; i < 10; ++i) {  // lag in each; a stalled offset never moves
      observations.push_back({t + i * 15'000, stalled ? 100 : 100 + i * 10, 50});
    }
    windows.push_back({{"group", "connect-snowflake-sink"},
                       {"topic", "orders"},
                       {"partition", p},
                       {"window",
                        {{"offset_changed_at_ms", stalled ? t : t + 135'000},
                         {"caught_up_at_ms", nullptr},
                         {"observations", observations}}}});
    histories.push_back({{"topic", "orders"},
                         {"partition", p},
                         {"points", {{100, 1.8e9}, {150, 1.8e9 + 15}, {200, 1.8e9 + 30}}}});
  }
  KafkaLagProbe probe(c, Millis(15000));
  probe.restore_state({{"version", 1}, {"windows", windows}, {"watermark_histories", histories}});

  nlohmann::json saved = probe.save_state();
  std::string text = saved.dump();
  EXPECT_LT(text.size(), ProbeStateStore::kMaxStateBytes);
  ASSERT_GT(saved["windows"].size(), 1000u) << "as many windows as fit, not a token few";
  EXPECT_LT(saved["windows"].size(), static_cast<size_t>(kPartitions));
  for (int i = 0; i < kStalled; ++i) {
    EXPECT_EQ(saved["windows"][i]["partition"], kPartitions - kStalled + i)
        << "stalled windows first";
  }
  EXPECT_GT(saved["watermark_histories"].size(), 100u);
  EXPECT_EQ(saved["watermark_histories"][0]["partition"], saved["windows"][0]["partition"])
      << "the histories of saved lagging windows first";

  auto dir =
      std::filesystem::temp_directory_path() / ("cdcwatch-lag-state-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  ProbeStateStore states(dir.string());
  states.track("kafka/msk", "fingerprint");
  states.save("kafka/msk", saved);
  ProbeStateStore after_restart(dir.string());
  after_restart.track("kafka/msk", "fingerprint");
  auto loaded = after_restart.load("kafka/msk");
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(loaded.has_value()) << "the store kept it";
  KafkaLagProbe restarted(c, Millis(15000));
  restarted.restore_state(*loaded);
  EXPECT_EQ(restarted.save_state()["windows"][0], saved["windows"][0]);
}

TEST_F(LagTest, MalformedOrForeignSavedStateIsIgnoredWithoutThrowing) {
  kafka.create_topic("t", 1);
  kafka.produce("t", 0, "k", "v");
  kafka.commit("connect-snowflake-sink", "t", 0, 0);
  for (const char* text : {
           R"("garbage")",
           R"({"version": 99, "windows": []})",
           R"({"version": "1"})",
           R"({"version": 1, "windows": "none", "watermark_histories": 5})",
           R"({"version": 1, "windows": [{"group": 1}, {"group": "g", "topic": "t",
               "partition": 0, "window": {"observations": [[1, "x", 3]]}}],
               "watermark_histories": [{"topic": "t", "partition": 0, "points": [[5, 1], [4, 2]]}],
               "record_timestamps": [{"topic": "t"}], "record_read_error": 7})",
       }) {
    KafkaLagProbe probe(config(), Millis(15000));
    EXPECT_NO_THROW(probe.restore_state(nlohmann::json::parse(text))) << text;
    auto outcome = collect(probe);
    EXPECT_TRUE(outcome.ok()) << text << ": " << outcome.error_message;
    auto saved = probe.save_state();
    EXPECT_EQ(saved["windows"].size(), 1u) << "only the partition this cycle saw: " << text;
  }
}

TEST_F(LagTest, BrokerDownReportsDownWithoutStaleLagThenRecovers) {
  kafka.create_topic("t", 1);
  kafka.produce("t", 0, "k", "v");
  KafkaLagProbe probe(config(), Millis(15000));
  ASSERT_TRUE(collect(probe).ok());
  kafka.set_broker_down(1, true);
  auto down = probe.collect({clock.now() + 3s, clock, store});
  EXPECT_FALSE(down.ok());
  EXPECT_EQ(down.readings.value("cdcwatch_kafka_up", {{"kafka", "msk"}}), 0);
  EXPECT_EQ(down.readings.family("cdcwatch_kafka_consumer_lag_messages"), nullptr);
  kafka.set_broker_down(1, false);
  bool recovered = false;
  for (int i = 0; i < 20 && !recovered; ++i) recovered = collect(probe).ok();
  EXPECT_TRUE(recovered);
}

// Brokers that drop and come back while offset requests are in flight and timing out: librdkafka
// 2.0.2's admin ListConsumerGroupOffsets aborted the process here (an assertion on a freed
// request), so a flapping cluster must leave the probe reporting, never crashed.
TEST(LagFlappingBrokers, BrokersDroppingMidRequestNeverAbortTheProbeAndLagRecovers) {
  testing::KafkaMockCluster kafka{3};
  kafka.create_topic("t", 6, 3);
  for (int p = 0; p < 6; ++p) kafka.produce("t", p, "k", "v");
  std::vector<std::string> groups;
  for (int g = 0; g < 6; ++g) {
    groups.push_back("g" + std::to_string(g));
    // g0-g2 lag by one record per partition, so record reads for lag in seconds flap too.
    for (int p = 0; p < 6; ++p) kafka.commit(groups.back(), "t", p, g < 3 ? 0 : 1);
  }
  KafkaClusterConfig c;
  c.name = "msk";
  c.bootstrap_servers = kafka.bootstrap();
  c.consumer_groups = groups;
  c.request_timeout = Millis(300);
  KafkaLagProbe probe(c, Millis(1000));
  FakeClock clock{TimePoint(std::chrono::seconds(1'800'000'000))};
  ReadingsStore store;
  std::mt19937 random(7);
  int down_cycles = 0;
  for (int cycle = 0; cycle < 20; ++cycle) {
    bool down = random() % 2 == 0;
    for (int broker = 1; broker <= 3; ++broker) {
      if (random() % 3 != 0) kafka.set_broker_down(broker, down);
    }
    std::thread flap([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(random() % 200));
      kafka.set_broker_down(1 + static_cast<int>(random() % 3), random() % 2 == 0);
    });
    auto outcome = probe.collect({clock.now() + 1s, clock, store});
    flap.join();
    if (!outcome.ok()) ++down_cycles;
  }
  EXPECT_GT(down_cycles, 0) << "the flapping reached the probe";
  for (int broker = 1; broker <= 3; ++broker) kafka.set_broker_down(broker, false);
  auto group_lag = [&](const CollectOutcome& outcome, const std::string& group) {
    return outcome.readings.value("cdcwatch_kafka_consumer_group_lag_messages",
                                  {{"kafka", "msk"}, {"group", group}});
  };
  // librdkafka reconnects with backoff (up to reconnect.backoff.max.ms, 10 s): give it a minute,
  // which a loaded machine running the suite under ASan needs.
  std::optional<double> lagging, caught_up;
  auto recovered = std::chrono::steady_clock::now() + 60s;
  while (!(lagging == 6.0 && caught_up == 0.0) && std::chrono::steady_clock::now() < recovered) {
    auto outcome = probe.collect({clock.now() + 5s, clock, store});
    lagging = group_lag(outcome, "g0");
    caught_up = group_lag(outcome, "g5");
    if (!(lagging == 6.0 && caught_up == 0.0)) std::this_thread::sleep_for(200ms);
  }
  EXPECT_EQ(lagging, 6.0) << "every group's lag reads again once the brokers are back";
  EXPECT_EQ(caught_up, 0.0);
}

TEST(LagLeaderMove, LagStaysExactWhenAPartitionLeaderMovesToAnotherBroker) {
  testing::KafkaMockCluster kafka{3};
  kafka.create_topic("t", 2, 3);
  for (int i = 0; i < 6; ++i) kafka.produce("t", i % 2, "k", "v");
  kafka.commit("g", "t", 0, 1);
  kafka.commit("g", "t", 1, 2);
  KafkaClusterConfig c;
  c.name = "msk";
  c.bootstrap_servers = kafka.bootstrap();
  c.consumer_groups = {"g"};
  c.request_timeout = Millis(3000);
  KafkaLagProbe probe(c, Millis(15000));
  FakeClock clock{TimePoint(std::chrono::seconds(1'800'000'000))};
  ReadingsStore store;
  auto group_lag = [&] {
    auto outcome = probe.collect({clock.now() + 10s, clock, store});
    return outcome.readings.value("cdcwatch_kafka_consumer_group_lag_messages",
                                  {{"kafka", "msk"}, {"group", "g"}});
  };
  EXPECT_EQ(group_lag(), 2 + 1);
  for (int32_t broker : {2, 3}) {
    ASSERT_EQ(rd_kafka_mock_partition_set_leader(kafka.raw(), "t", 0, broker),
              RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_EQ(rd_kafka_mock_partition_set_leader(kafka.raw(), "t", 1, broker),
              RD_KAFKA_RESP_ERR_NO_ERROR);
    kafka.produce("t", 0, "k", "v");
    std::optional<double> lag;
    for (int i = 0; i < 20 && lag != std::optional<double>(double(3 + broker - 1)); ++i)
      lag = group_lag();
    EXPECT_EQ(lag, 3 + broker - 1) << "leader now broker " << broker;
  }
}

TEST_F(LagTest, AnInvalidPropertyIsAConfigErrorNamingTheKeyButNotASecretValue) {
  KafkaClusterConfig c = config();
  c.properties.emplace_back("security.protocol", SecretString{"hunter2-protocol", "${env:X}"});
  KafkaLagProbe probe(c, Millis(15000));
  auto outcome = collect(probe);
  EXPECT_EQ(outcome.error_reason, "config");
  EXPECT_NE(outcome.error_message.find("security.protocol"), std::string::npos)
      << outcome.error_message;
  EXPECT_EQ(outcome.error_message.find("hunter2-protocol"), std::string::npos)
      << outcome.error_message;
}

TEST_F(LagTest, SaslPropertiesReachLibrdkafka) {
  KafkaClusterConfig c = config();
  c.properties.emplace_back("security.protocol", SecretString{"SASL_PLAINTEXT", "SASL_PLAINTEXT"});
  c.properties.emplace_back("sasl.mechanism", SecretString{"NOT-A-MECHANISM", "NOT-A-MECHANISM"});
  KafkaLagProbe probe(c, Millis(15000));
  auto outcome = collect(probe);
  EXPECT_EQ(outcome.error_reason, "config") << "librdkafka validated the mechanism we passed";
  EXPECT_NE(outcome.error_message.find("SASL mechanism"), std::string::npos)
      << outcome.error_message;
}

TEST_F(LagTest, ATopicWithAThousandPartitions) {
  kafka.create_topic("wide", 1000);
  for (int p = 0; p < 1000; p += 10) kafka.produce("wide", p, "k", "v");
  for (int p = 0; p < 1000; p += 20) kafka.commit("connect-snowflake-sink", "wide", p, 1);
  KafkaLagProbe probe(config(), Millis(15000));
  auto outcome = collect(probe);
  ASSERT_TRUE(outcome.ok()) << outcome.error_message;
  EXPECT_EQ(outcome.readings.value("cdcwatch_kafka_consumer_group_lag_messages",
                                   {{"kafka", "msk"}, {"group", "connect-snowflake-sink"}}),
            50)
      << "100 partitions hold a record, half of them committed past it";
  EXPECT_EQ(outcome.readings.family("cdcwatch_kafka_high_watermark")->series.size(), 1000u);
}

TEST_F(LagTest, PartitionMetricsOffKeepsGroupAndTopicAggregatesOnly) {
  kafka.create_topic("t", 2);
  kafka.produce("t", 1, "k", "v");
  kafka.commit("connect-snowflake-sink", "t", 0, 0);
  KafkaClusterConfig c = config();
  c.partition_metrics = false;
  KafkaLagProbe probe(c, Millis(15000));
  auto outcome = collect(probe);
  ASSERT_TRUE(outcome.ok()) << outcome.error_message;
  EXPECT_EQ(outcome.readings.family("cdcwatch_kafka_consumer_lag_messages"), nullptr);
  EXPECT_EQ(outcome.readings.value(
                "cdcwatch_kafka_consumer_topic_lag_messages",
                {{"kafka", "msk"}, {"group", "connect-snowflake-sink"}, {"topic", "t"}}),
            1);
}

TEST_F(LagTest, TheAgentExportsTheSeriesOnMetrics) {
  kafka.create_topic("orders.public.orders", 1);
  kafka.produce("orders.public.orders", 0, "k", "v");
  kafka.commit("connect-snowflake-sink", "orders.public.orders", 0, 0);
  testing::TempDir state;
  Config config = parse_config(ConfigNode::load_string(
      "agent:\n  state_dir: " + state.path() +
          "\n  listen: 127.0.0.1:0\n  interval: 1s\n"
          "kafka:\n  - name: msk\n    bootstrap_servers: \"" +
          kafka.bootstrap() +
          "\"\n    consumer_groups: [connect-snowflake-sink]\n    topics: [\"orders.public.*\"]\n",
      "test.yml"));
  SystemClock system_clock;
  Agent agent(config, system_clock);
  agent.start();
  std::string text =
      testing::metrics_containing(agent, "cdcwatch_kafka_consumer_group_lag_messages{");
  agent.stop();
  EXPECT_NE(text.find("cdcwatch_kafka_consumer_group_lag_messages{kafka=\"msk\",group=\"connect-"
                      "snowflake-sink\"} 1"),
            std::string::npos)
      << text.substr(0, 6000);
  EXPECT_NE(text.find("cdcwatch_probe_up{probe=\"kafka/msk\"} 1"), std::string::npos);
}

}  // namespace
}  // namespace cdcwatch
