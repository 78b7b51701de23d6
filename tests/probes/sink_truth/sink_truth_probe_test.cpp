// The sink-truth probe against the local Snowflake SQL API and librdkafka's mock cluster: the
// warehouse's positions per partition, lag in messages and seconds, the group ahead of the
// warehouse, unknown as absent, Snowflake's error answers, and the progress clock across a restart.
#include <gtest/gtest.h>

#include "probes/connect/connect_probe.h"
#include "probes/sink_truth/sink_metrics.h"
#include "tests/probes/sink_truth/sink_truth_fixture.h"
#include "tests/support/connect_server.h"

namespace cdcwatch {
namespace {

using namespace std::chrono_literals;
using namespace sink_metrics;
using Channel = testing::SnowflakeServer::Channel;

struct SinkTruthProbeTest : ::testing::Test, SinkTruthFixture {
  // orders: 5 records on partition 0, an hour old from the third; 3 on partition 1.
  void SetUp() override {
    kafka.create_topic("orders", 2);
    int64_t now_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(clock.now().time_since_epoch())
            .count();
    for (int i = 0; i < 5; ++i) kafka.produce("orders", 0, "k", "v", now_ms - (7200 - i) * 1000);
    third_record_ms = now_ms - 7198 * 1000;
    for (int i = 0; i < 3; ++i) kafka.produce("orders", 1, "k", "v", now_ms - 60000);
  }
  // The connector's group commits these next offsets, and the lag probe reads them.
  void group_commits(int64_t partition0, int64_t partition1) {
    kafka.commit("connect-orders-sink", "orders", 0, partition0);
    kafka.commit("connect-orders-sink", "orders", 1, partition1);
    KafkaLagProbe lag(kafka_config("connect-orders-sink"), Millis(15000));
    collect(lag);
  }
  int64_t third_record_ms = 0;
};

TEST_F(SinkTruthProbeTest, ChannelTokensGiveTheWarehousesLagPerPartition) {
  // Partition 0's channel made offsets 0..1 visible (token 1): the warehouse expects 2, three
  // records behind, the oldest of them 7198 s old. Partition 1's took all three (token 2).
  set_channels({channel("ORDERS-SINK_ORDERS_0", "1"), channel("ORDERS-SINK_ORDERS_1", "2"),
                channel("OTHER-SINK_ORDERS_0", "4")});
  auto probe = this->probe(sink_config("orders-sink"));
  auto outcome = collect(probe);
  ASSERT_TRUE(outcome.ok()) << outcome.error_message;
  EXPECT_EQ(snowflake.statements(),
            std::vector<std::string>{"SHOW CHANNELS IN SCHEMA ANALYTICS.PUBLIC"});
  EXPECT_EQ(outcome.readings.value(kUp.name, {{"sink", "orders-snowflake"}}), 1);
  EXPECT_EQ(outcome.readings.value(kCommitted.name, partition("orders", 0)), 2);
  EXPECT_EQ(outcome.readings.value(kLagMessages.name, partition("orders", 0)), 3);
  auto seconds = outcome.readings.value(kLagSeconds.name, partition("orders", 0));
  ASSERT_TRUE(seconds);
  EXPECT_NEAR(*seconds, to_unix_seconds(clock.now()) - third_record_ms / 1000.0, 1.0);
  EXPECT_EQ(outcome.readings.value(kCommitted.name, partition("orders", 1)), 3);
  EXPECT_EQ(outcome.readings.value(kLagMessages.name, partition("orders", 1)), 0);
  EXPECT_EQ(outcome.readings.value(kLagSeconds.name, partition("orders", 1)), 0);
  EXPECT_EQ(outcome.readings.value(kLagTotal.name, {{"sink", "orders-snowflake"}}), 3);
  EXPECT_NEAR(*outcome.readings.value(kLagSecondsMax.name, {{"sink", "orders-snowflake"}}),
              *seconds, 0.001);
  // No lag probe reading of the group: group-ahead is unknown, not 0.
  EXPECT_EQ(outcome.readings.family(kGroupAhead.name), nullptr);
}

// A stalled sink lags at the same offset interval after interval: its record is read once. On the
// old code every cycle fetched it again, so a refused fetch took the figure away.
TEST_F(SinkTruthProbeTest, TheRecordAtAnUnchangedPositionIsReadOnce) {
  set_channels({channel("ORDERS-SINK_ORDERS_0", "1"), channel("ORDERS-SINK_ORDERS_1", "2")});
  auto probe = this->probe(sink_config("orders-sink"));
  auto first = collect(probe);
  ASSERT_TRUE(first.ok()) << first.error_message;
  auto seconds = first.readings.value(kLagSeconds.name, partition("orders", 0));
  ASSERT_TRUE(seconds);

  // Every Fetch (ApiKey 1) from now on is refused, as for a principal without READ.
  std::vector<rd_kafka_resp_err_t> denied(50, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
  rd_kafka_mock_push_request_errors_array(kafka.raw(), 1, denied.size(), denied.data());
  clock.advance(60s);
  auto second = collect(probe);
  ASSERT_TRUE(second.ok()) << second.error_message;
  EXPECT_FALSE(second.status.contains("record_reads")) << "nothing fetched: " << second.status;
  auto later = second.readings.value(kLagSeconds.name, partition("orders", 0));
  ASSERT_TRUE(later) << "the cached record's age";
  EXPECT_NEAR(*later, *seconds + 60, 1.0);

  set_channels({channel("ORDERS-SINK_ORDERS_0", "2"), channel("ORDERS-SINK_ORDERS_1", "2")});
  auto moved = collect(probe);
  EXPECT_TRUE(moved.status.contains("record_reads"))
      << "a new position is read (and refused here): " << moved.status;
  EXPECT_FALSE(moved.readings.value(kLagSeconds.name, partition("orders", 0)))
      << "unknown, not the old offset's age";
}

TEST_F(SinkTruthProbeTest, AnIdleCaughtUpTopicIsZeroWhileTheGroupReadsOneBehind) {
  // snowflake-kafka-connector #921: the connector committed the channel's token (2), not the next
  // offset (3), to Kafka; the lag probe then sees a lag of 1 forever.
  set_channels({channel("ORDERS-SINK_ORDERS_0", "4"), channel("ORDERS-SINK_ORDERS_1", "2")});
  group_commits(5, 2);
  Labels group_partition = {
      {"kafka", "main"}, {"group", "connect-orders-sink"}, {"topic", "orders"}, {"partition", "1"}};
  ASSERT_EQ(store.first_value("cdcwatch_kafka_consumer_lag_messages", group_partition), 1);
  auto probe = this->probe(sink_config("orders-sink"));
  auto outcome = collect(probe);
  ASSERT_TRUE(outcome.ok()) << outcome.error_message;
  EXPECT_EQ(outcome.readings.value(kLagMessages.name, partition("orders", 1)), 0);
  EXPECT_EQ(outcome.readings.value(kLagSeconds.name, partition("orders", 1)), 0);
  EXPECT_EQ(outcome.readings.value(kGroupAhead.name, partition("orders", 1)), 0);
  EXPECT_EQ(outcome.readings.value(kSecondsSinceProgress.name, partition("orders", 1)), 0);
}

TEST_F(SinkTruthProbeTest, AGroupCommittedPastTheWarehouseIsAhead) {
  // snowflake-kafka-connector #96: offsets committed before rows were visible.
  set_channels({channel("ORDERS-SINK_ORDERS_0", "0"), channel("ORDERS-SINK_ORDERS_1", "2")});
  group_commits(5, 3);
  auto probe = this->probe(sink_config("orders-sink"));
  auto outcome = collect(probe);
  ASSERT_TRUE(outcome.ok()) << outcome.error_message;
  EXPECT_EQ(outcome.readings.value(kGroupAhead.name, partition("orders", 0)), 4);
  EXPECT_EQ(outcome.readings.value(kGroupAhead.name, partition("orders", 1)), 0);
  EXPECT_EQ(outcome.readings.value(kGroupAheadTotal.name, {{"sink", "orders-snowflake"}}), 4);
}

TEST_F(SinkTruthProbeTest, APartitionWithoutAKnownPositionIsAbsentAndCounted) {
  // Partition 0's channel has not committed yet (NULL token); partition 1 has no channel. With
  // the connector's config from Connect, both are the sink's partitions.
  testing::ConnectServer connect;
  kafka.create_topic("returns", 1);  // never written to: nothing to load, so caught up
  connect.put("orders-sink", {.type = "sink", .config = {{"topics", "orders,returns"}}});
  connect.start();
  ConnectProbe connect_probe({.name = "main", .url = connect.url()}, nullptr, Millis(15000));
  collect(connect_probe);
  set_channels({channel("ORDERS-SINK_ORDERS_0", std::nullopt)});
  auto probe = this->probe(sink_config("orders-sink", Ingestion::kStreaming, "main"));
  auto outcome = collect(probe);
  ASSERT_TRUE(outcome.ok()) << outcome.error_message;
  EXPECT_EQ(outcome.readings.value(kLagMessages.name, partition("orders", 0)), std::nullopt);
  EXPECT_EQ(outcome.readings.value(kLagMessages.name, partition("orders", 1)), std::nullopt);
  EXPECT_EQ(outcome.readings.value(kCommitted.name, partition("orders", 0)), std::nullopt);
  EXPECT_EQ(outcome.readings.value(kLagMessages.name, partition("returns", 0)), 0);
  EXPECT_EQ(outcome.readings.value(kUnknownPartitions.name, {{"sink", "orders-snowflake"}}), 2);
  EXPECT_EQ(outcome.readings.family(kLagTotal.name), nullptr);
}

TEST_F(SinkTruthProbeTest, APositionPastTheEndOfTheLogIsUnknownNotCaughtUp) {
  // The topic was recreated: the channel still holds token 9, the new log ends at 3.
  set_channels({channel("ORDERS-SINK_ORDERS_0", "4"), channel("ORDERS-SINK_ORDERS_1", "9")});
  auto probe = this->probe(sink_config("orders-sink"));
  auto outcome = collect(probe);
  ASSERT_TRUE(outcome.ok()) << outcome.error_message;
  EXPECT_EQ(outcome.readings.value(kLagMessages.name, partition("orders", 1)), std::nullopt);
  EXPECT_EQ(outcome.readings.value(kLagMessages.name, partition("orders", 0)), 0);
  EXPECT_EQ(outcome.readings.value(kUnknownPartitions.name, {{"sink", "orders-snowflake"}}), 1);
  EXPECT_EQ(outcome.readings.family(kLagTotal.name), nullptr);
}

TEST_F(SinkTruthProbeTest, AConnectorConnectDoesNotKnowIsAConnectError) {
  auto probe = this->probe(sink_config("orders-sink", Ingestion::kStreaming, "main"));
  auto outcome = collect(probe);
  EXPECT_EQ(outcome.error_reason, "connect");
  EXPECT_NE(outcome.error_message.find("orders-sink"), std::string::npos);
  EXPECT_EQ(outcome.readings.value(kUp.name, {{"sink", "orders-snowflake"}}), 0);
  EXPECT_EQ(snowflake.statements_posted(), 0);
}

TEST_F(SinkTruthProbeTest, RateLimitsAreRetriedUnderTheSameRequest) {
  set_channels({channel("ORDERS-SINK_ORDERS_0", "4")});
  snowflake.script({.status = 429});
  snowflake.script({.status = 503});
  auto probe = this->probe(sink_config("orders-sink"));
  auto outcome = collect(probe);
  ASSERT_TRUE(outcome.ok()) << outcome.error_message;
  EXPECT_EQ(snowflake.statements_posted(), 3);
  EXPECT_EQ(snowflake.retry_flags(), (std::vector<bool>{false, true, true}));
  EXPECT_EQ(outcome.readings.value(kLagMessages.name, partition("orders", 0)), 0);
}

TEST_F(SinkTruthProbeTest, SnowflakesFailuresAreReasonsAndTakeTheReadingsAway) {
  set_channels({channel("ORDERS-SINK_ORDERS_0", "4")});
  struct Case {
    testing::SnowflakeServer::Scripted script;
    std::string reason, message;
  };
  for (const Case& c : {Case{{.status = 408}, "timeout", "timeout"},
                        Case{{.status = 422}, "query", "does not exist"},
                        Case{{.malformed = true}, "response", "offset_token"},
                        Case{{.status = 401}, "auth", "RSA_PUBLIC_KEY"}}) {
    snowflake.script(c.script);
    if (c.script.status == 401) snowflake.script(c.script);  // the renewed token too
    auto probe = this->probe(sink_config("orders-sink"));
    auto outcome = collect(probe);
    EXPECT_EQ(outcome.error_reason, c.reason) << c.message;
    EXPECT_NE(outcome.error_message.find(c.message), std::string::npos) << outcome.error_message;
    EXPECT_EQ(outcome.readings.value(kUp.name, {{"sink", "orders-snowflake"}}), 0);
    EXPECT_EQ(outcome.readings.family(kLagMessages.name), nullptr);
  }
}

TEST_F(SinkTruthProbeTest, ServerErrorsUntilTheDeadlineFailTheCycleInTime) {
  for (int i = 0; i < 50; ++i) snowflake.script({.status = 503});
  auto probe = this->probe(sink_config("orders-sink"));
  auto started = std::chrono::steady_clock::now();
  auto outcome = collect(probe, 2s);
  EXPECT_EQ(outcome.error_reason, "http");
  EXPECT_NE(outcome.error_message.find("503"), std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

TEST_F(SinkTruthProbeTest, ProgressClockSurvivesARestart) {
  set_channels({channel("ORDERS-SINK_ORDERS_0", "1"), channel("ORDERS-SINK_ORDERS_1", "2")});
  auto first = this->probe(sink_config("orders-sink"));
  collect(first);
  clock.advance(4min);
  auto outcome = collect(first);
  EXPECT_EQ(outcome.readings.value(kSecondsSinceProgress.name, partition("orders", 0)), 240);
  nlohmann::json saved = first.save_state();

  auto second = this->probe(sink_config("orders-sink"));
  second.restore_state(saved);
  clock.advance(2min);
  outcome = collect(second);
  // Stalled since the first cycle, six minutes ago, not since the restart.
  // (The state keeps milliseconds.)
  EXPECT_NEAR(*outcome.readings.value(kSecondsSinceProgress.name, partition("orders", 0)), 360,
              0.01);
  EXPECT_NEAR(*outcome.readings.value(kSinceProgressMax.name, {{"sink", "orders-snowflake"}}), 360,
              0.01);

  auto fresh = this->probe(sink_config("orders-sink"));
  fresh.restore_state(nlohmann::json{{"version", 1}, {"progress", "garbage"}});
  outcome = collect(fresh);
  EXPECT_EQ(outcome.readings.value(kSecondsSinceProgress.name, partition("orders", 0)), 0);

  // Progress restarts the clock.
  set_channels({channel("ORDERS-SINK_ORDERS_0", "3"), channel("ORDERS-SINK_ORDERS_1", "2")});
  clock.advance(1min);
  outcome = collect(second);
  EXPECT_EQ(outcome.readings.value(kSecondsSinceProgress.name, partition("orders", 0)), 0);
}

TEST_F(SinkTruthProbeTest, FileBasedPipesReportPendingFilesAndTheirLastIngest) {
  testing::ConnectServer connect;
  connect.put("orders-sink", {.type = "sink",
                              .config = {{"topics", "orders"},
                                         {"snowflake.topic2table.map", "orders:ORDERS_CDC"},
                                         {"value.converter",
                                          "com.snowflake.kafka.connector."
                                          "records.SnowflakeJsonConverter"}}});
  connect.start();
  ConnectProbe connect_probe({.name = "main", .url = connect.url()}, nullptr, Millis(15000));
  collect(connect_probe);
  std::string pipe0 = "ANALYTICS.PUBLIC.SNOWFLAKE_KAFKA_CONNECTOR_orders-sink_PIPE_ORDERS_CDC_0";
  std::string pipe1 = "ANALYTICS.PUBLIC.SNOWFLAKE_KAFKA_CONNECTOR_orders-sink_PIPE_ORDERS_CDC_1";
  snowflake.set_pipe(pipe0, {.pending_files = 7,
                             .last_ingested_timestamp = "2024-05-01T12:00:00.000Z",
                             .last_ingested_file_path = "orders-sink/ORDERS_CDC/0/0_9_1.json.gz"});
  snowflake.set_pipe(pipe1, {.execution_state = "PAUSED"});
  auto probe = this->probe(sink_config("orders-sink", Ingestion::kSnowpipe, "main"));
  auto outcome = collect(probe);
  ASSERT_TRUE(outcome.ok()) << outcome.error_message;
  ASSERT_EQ(snowflake.statements().size(), 1u);
  EXPECT_EQ(snowflake.statements()[0], "SELECT SYSTEM$PIPE_STATUS(?), SYSTEM$PIPE_STATUS(?)");
  Labels p0 = {{"sink", "orders-snowflake"}, {"pipe", pipe0}};
  Labels p1 = {{"sink", "orders-snowflake"}, {"pipe", pipe1}};
  EXPECT_EQ(outcome.readings.value(kPendingFiles.name, p0), 7);
  EXPECT_EQ(outcome.readings.value(kLastIngest.name, p0), 1714564800);
  EXPECT_NEAR(*outcome.readings.value(kPipeStuckSeconds.name, p0),
              to_unix_seconds(clock.now()) - 1714564800, 1);
  EXPECT_EQ(outcome.readings.value(kPipeRunning.name, p0), 1);
  EXPECT_EQ(outcome.readings.value(kPipeRunning.name, p1), 0);
  EXPECT_EQ(outcome.readings.value(kPendingFiles.name, p1), 0);
  EXPECT_EQ(outcome.readings.value(kLastIngest.name, p1), std::nullopt);  // never ingested
  EXPECT_EQ(outcome.status.value("value_converter", ""),
            "com.snowflake.kafka.connector.records.SnowflakeJsonConverter");

  // Connect goes away: the pipes stay in sight with the config last reported.
  store.drop(connect_probe.name());
  outcome = collect(probe);
  ASSERT_TRUE(outcome.ok()) << outcome.error_message;
  EXPECT_EQ(outcome.readings.value(kPendingFiles.name, p0), 7);
  EXPECT_NE(outcome.status.value("connector_config", "").find("as last reported"),
            std::string::npos);

  snowflake.script({.malformed = true});
  outcome = collect(probe);
  EXPECT_EQ(outcome.error_reason, "response");
  EXPECT_NE(outcome.error_message.find("MONITOR"), std::string::npos);
}

}  // namespace
}  // namespace cdcwatch
