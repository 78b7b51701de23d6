// The case study's Challenge 4 with real peers: a sink that says RUNNING while its group's offsets
// stay frozen in librdkafka's mock cluster as the topic grows, and a source whose committed LSN
// (in the Connect offsets topic) stops while a real PostgreSQL slot's WAL grows. The lag and slot
// probes publish into the same store the pipeline stage joins them in, as in the agent (#16: the
// joins moved out of the Connect probe into the stage; the lag probe learns sink groups from the
// store).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "agent/core/readings_store.h"
#include "agent/pipeline/pipeline_stage.h"
#include "agent/pipeline/sink_group_learner.h"
#include "probes/connect/connect_metrics.h"
#include "probes/connect/connect_probe.h"
#include "probes/kafka_lag/kafka_lag_probe.h"
#include "probes/pg_slots/pg_slots_probe.h"
#include "tests/support/connect_server.h"
#include "tests/support/kafka_mock_cluster.h"
#include "tests/support/postgres_server.h"

namespace cdcwatch {
namespace {

using namespace std::chrono_literals;
using Connector = testing::ConnectServer::Connector;

struct PipelineTest : ::testing::Test {
  PipelineTest() {
    connect.start();
    connect.set_offsets_api(false);  // a worker before Kafka 3.5: offsets come from Kafka itself
    cluster.name = "msk";
    cluster.bootstrap_servers = kafka.bootstrap();
    cluster.request_timeout = Millis(3000);
    config.name = "connect";
    config.url = connect.url();
    config.kafka = "msk";
    config.stall_after = Millis(120000);
    config.request_timeout = Millis(2000);
  }
  CollectContext ctx() { return {clock.now() + 10s, clock, store}; }
  static StageSetup stage_setup() {
    StageSetup setup;
    setup.derivation.connect_kafka["connect"] = "msk";
    setup.stall_after["connect"] = Millis(120000);
    return setup;
  }
  // A Connect cycle, then the pipeline stage's: the stall rule's verdict.
  double stalled(const std::string& connector, const std::string& type) {
    auto outcome = probe->collect(ctx());
    EXPECT_TRUE(outcome.ok()) << outcome.error_message;
    last_status = outcome.status;
    store.publish(probe->name(), outcome.readings);
    auto judged = stage.collect(ctx());
    Labels labels = {{"connect", "connect"}, {"connector", connector}, {"type", type}};
    last_lag_bytes = judged.readings.value(connect_metrics::kSourceLag.name, labels);
    return judged.readings.value(connect_metrics::kStalled.name, labels).value_or(-1);
  }
  std::unique_ptr<SinkGroupLearner> lag_probe() {
    return std::make_unique<SinkGroupLearner>(
        std::make_unique<KafkaLagProbe>(cluster, Millis(15000)),
        std::vector<std::string>{"connect"}, std::vector<std::string>{});
  }

  testing::KafkaMockCluster kafka{1};
  testing::ConnectServer connect;
  KafkaClusterConfig cluster;
  ConnectConfig config;
  FakeClock clock{TimePoint(std::chrono::seconds(1'795'643'243))};
  ReadingsStore store;
  PipelineBoard board;
  PipelineStage stage{stage_setup(), board};
  std::unique_ptr<ConnectProbe> probe;
  nlohmann::json last_status;
  std::optional<double> last_lag_bytes;
};

TEST_F(PipelineTest, ASinkRunningWithFrozenGroupOffsetsWhileTheTopicGrowsIsStalledThenRecovers) {
  kafka.create_topic("orders.public.orders", 2);
  for (int i = 0; i < 10; ++i) kafka.produce("orders.public.orders", i % 2, "k", "v");
  kafka.commit("connect-snowflake-sink", "orders.public.orders", 0, 5);
  kafka.commit("connect-snowflake-sink", "orders.public.orders", 1, 5);
  connect.put("snowflake-sink", Connector{.type = "sink", .task_states = {"RUNNING", "RUNNING"}});
  auto lag = lag_probe();  // no configured groups: it learns connect-snowflake-sink from the store
  probe = std::make_unique<ConnectProbe>(config, &cluster, Millis(15000));
  auto cycle = [&] {
    store.publish(lag->name(), lag->collect(ctx()).readings);
    return stalled("snowflake-sink", "sink");
  };
  EXPECT_EQ(stalled("snowflake-sink", "sink"), 0);  // Connect reports the sink's config
  EXPECT_EQ(cycle(), 0);
  // Six hours of "RUNNING" in the case study; here the topic grows and commits stay frozen.
  for (int step = 0; step < 8; ++step) {
    kafka.produce("orders.public.orders", step % 2, "k", "v");
    clock.advance(15s);
    double now_stalled = cycle();
    EXPECT_EQ(now_stalled,
              clock.now() - TimePoint(std::chrono::seconds(1'795'643'243)) >= 120s ? 1 : 0)
        << "step " << step << " " << last_status.dump();
  }
  EXPECT_EQ(cycle(), 1) << "stalled within stall_after plus one interval";
  kafka.commit("connect-snowflake-sink", "orders.public.orders", 0, 9);
  clock.advance(15s);
  EXPECT_EQ(cycle(), 0) << "commits resumed";
}

TEST_F(PipelineTest, TheLagProbeWatchesTheSinkGroupsConnectHasNowNotOnesDeletedSince) {
  kafka.create_topic("orders.public.orders", 1);
  kafka.produce("orders.public.orders", 0, "k", "v");
  kafka.commit("connect-snowflake-sink", "orders.public.orders", 0, 1);
  kafka.commit("connect-s3-sink", "orders.public.orders", 0, 0);
  connect.put("snowflake-sink", Connector{.type = "sink", .task_states = {"RUNNING"}});
  connect.put("s3-sink", Connector{.type = "sink", .task_states = {"RUNNING"}});
  auto lag = lag_probe();
  probe = std::make_unique<ConnectProbe>(config, &cluster, Millis(15000));
  auto watched = [&] {
    store.publish(probe->name(), probe->collect(ctx()).readings);
    auto outcome = lag->collect(ctx());
    std::set<std::string> groups;
    if (const auto* family =
            outcome.readings.family("cdcwatch_kafka_consumer_group_lag_messages")) {
      for (const auto& series : family->series) groups.insert(*label_value(series.labels, "group"));
    }
    return groups;
  };
  EXPECT_EQ(watched(), (std::set<std::string>{"connect-s3-sink", "connect-snowflake-sink"}));
  connect.remove("s3-sink");
  EXPECT_EQ(watched(), (std::set<std::string>{"connect-snowflake-sink"}))
      << "a deleted connector's group is no longer watched, so it cannot page as stopped";
  connect.script({.status = 500});
  EXPECT_EQ(watched(), (std::set<std::string>{"connect-snowflake-sink"}))
      << "while Connect does not answer, its sinks' groups stay watched";
}

TEST_F(PipelineTest, ASourceWhoseLsnStopsWhileTheSlotsWalGrowsIsStalledThenRecovers) {
  testing::PostgresServer pg;
  pg.exec("CREATE TABLE orders (id serial PRIMARY KEY, pad text)");
  pg.exec("SELECT pg_create_logical_replication_slot('debezium', 'pgoutput')");
  PgSourceConfig source;
  source.name = "orders";
  source.dsn = SecretString{pg.dsn(), pg.dsn()};
  PgSlotsProbe slots(source, Millis(15000));
  kafka.create_topic("connect-offsets", 1);
  auto commit_lsn = [&](const std::string& lsn_text) {
    auto lsn = *parse_pg_lsn(lsn_text);
    kafka.produce(
        "connect-offsets", 0, R"(["orders-postgres-source",{"server":"orders"}])",
        nlohmann::json{{"lsn", static_cast<int64_t>(lsn)}, {"txId", 700}, {"ts_usec", 1}}.dump());
  };
  commit_lsn(pg.query_value("SELECT pg_current_wal_lsn()::text"));
  connect.put("orders-postgres-source",
              Connector{.type = "source",
                        .config = {{"slot.name", "debezium"}, {"database.dbname", "postgres"}}});
  probe = std::make_unique<ConnectProbe>(config, &cluster, Millis(15000));
  auto cycle = [&] {
    pg.exec("INSERT INTO orders (pad) SELECT repeat('x', 500) FROM generate_series(1, 200)");
    store.publish(slots.name(), slots.collect(ctx()).readings);
    return stalled("orders-postgres-source", "source");
  };
  EXPECT_EQ(cycle(), 0);
  // The offsets topic is read from the beginning by a fresh consumer: wait until the committed
  // LSN is known (same fake instant), so the stall is timed from here.
  for (int i = 0; i < 20 && !last_lag_bytes; ++i) cycle();
  ASSERT_TRUE(last_lag_bytes) << last_status.dump();
  for (int step = 0; step < 9; ++step) {
    clock.advance(15s);
    cycle();
  }
  EXPECT_EQ(cycle(), 1) << last_status.dump();
  ASSERT_TRUE(last_lag_bytes);
  EXPECT_GT(*last_lag_bytes, 100000) << "the WAL the connector has not committed";
  EXPECT_EQ(last_status["connectors"]["orders-postgres-source"]["progress_from"],
            "offsets topic connect-offsets");
  commit_lsn(pg.query_value("SELECT pg_current_wal_lsn()::text"));
  clock.advance(15s);
  double after = -1;
  for (int i = 0; i < 10 && after != 0; ++i) after = cycle();  // the reader picks the record up
  EXPECT_EQ(after, 0) << last_status.dump();
}

}  // namespace
}  // namespace cdcwatch
