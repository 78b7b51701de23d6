// The Connect probe against a local worker REST API that answers as Kafka Connect does.
#include "probes/connect/connect_probe.h"

#include <gtest/gtest.h>

#include "agent/core/readings_store.h"
#include "agent/pipeline/pipeline_stage.h"
#include "probes/connect/connect_metrics.h"
#include "probes/kafka_lag/lag_metrics.h"
#include "tests/support/connect_server.h"

namespace cdcwatch {
namespace {

using namespace std::chrono_literals;
using Connector = testing::ConnectServer::Connector;

struct ConnectTest : ::testing::Test {
  ConnectTest() { server.start(); }
  ConnectConfig config() {
    ConnectConfig c;
    c.name = "connect";
    c.url = server.url();
    c.request_timeout = Millis(1000);
    c.stall_after = Millis(120000);
    return c;
  }
  CollectOutcome collect(ConnectProbe& probe) {
    return probe.collect({clock.now() + 5s, clock, store});
  }
  // A Connect cycle published to the store, then the pipeline stage's cycle, which runs the stall
  // rule over the store as the agent does; returns the stage's outcome.
  CollectOutcome stage_cycle(ConnectProbe& probe) {
    connect_outcome = collect(probe);
    store.publish(probe.name(), connect_outcome.readings);
    return stage.collect({clock.now() + 5s, clock, store});
  }
  static StageSetup stage_setup() {
    StageSetup setup;
    setup.derivation.connect_kafka["connect"] = "msk";
    setup.stall_after["connect"] = Millis(120000);
    return setup;
  }
  void publish_group_lag(double lag) {
    Readings readings;
    readings.set(kafka_lag_metrics::kGroupLag,
                 {{"kafka", "msk"}, {"group", "connect-snowflake-sink"}}, lag);
    store.publish("kafka/msk", readings);
  }
  static Labels labels(const std::string& connector, const std::string& type, Labels extra = {}) {
    Labels out = {{"connect", "connect"}, {"connector", connector}, {"type", type}};
    out.insert(out.end(), extra.begin(), extra.end());
    return out;
  }

  testing::ConnectServer server;
  FakeClock clock{TimePoint(std::chrono::seconds(1'795'643'243))};
  ReadingsStore store;
  PipelineBoard board;
  PipelineStage stage{stage_setup(), board};
  CollectOutcome connect_outcome;
};

TEST_F(ConnectTest, StatesAndTasksComeFromOneExpandedCall) {
  server.put("orders-postgres-source",
             Connector{.type = "source", .task_states = {"RUNNING", "FAILED"}});
  server.put("snowflake-sink",
             Connector{.type = "sink", .state = "PAUSED", .task_states = {"PAUSED"}});
  ConnectProbe probe(config(), nullptr, Millis(15000));
  auto outcome = collect(probe);
  ASSERT_TRUE(outcome.ok()) << outcome.error_message;
  const Readings& r = outcome.readings;
  EXPECT_EQ(r.value("cdcwatch_connect_up", {{"connect", "connect"}}), 1);
  EXPECT_EQ(r.value("cdcwatch_connector_state",
                    labels("orders-postgres-source", "source", {{"state", "RUNNING"}})),
            1);
  EXPECT_EQ(
      r.value("cdcwatch_connector_state", labels("snowflake-sink", "sink", {{"state", "PAUSED"}})),
      1);
  EXPECT_EQ(
      r.value("cdcwatch_connector_state", labels("snowflake-sink", "sink", {{"state", "RUNNING"}})),
      0);
  EXPECT_EQ(r.value("cdcwatch_connector_task_state", labels("orders-postgres-source", "source",
                                                            {{"task", "1"}, {"state", "FAILED"}})),
            1);
  EXPECT_EQ(r.value("cdcwatch_connector_tasks",
                    labels("orders-postgres-source", "source", {{"state", "RUNNING"}})),
            1);
  EXPECT_EQ(r.value("cdcwatch_connector_tasks",
                    labels("orders-postgres-source", "source", {{"state", "FAILED"}})),
            1);
  EXPECT_EQ(outcome.status["connectors"]["orders-postgres-source"]["tasks"][1]["trace"],
            "org.apache.kafka.connect.errors.ConnectException: boom");
  EXPECT_EQ(server.request_count("/connectors"), 1u);
  EXPECT_EQ(server.request_count("/connectors/orders-postgres-source/status"), 0u);
}

TEST_F(ConnectTest, AWorkerWithoutExpandIsAskedPerConnector) {
  server.set_old_worker(true);
  server.put("snowflake-sink", Connector{.type = "sink"});
  ConnectProbe probe(config(), nullptr, Millis(15000));
  auto outcome = collect(probe);
  ASSERT_TRUE(outcome.ok()) << outcome.error_message;
  EXPECT_EQ(outcome.readings.value("cdcwatch_connector_state",
                                   labels("snowflake-sink", "sink", {{"state", "RUNNING"}})),
            1);
  EXPECT_EQ(server.request_count("/connectors/snowflake-sink/status"), 1u);
}

TEST_F(ConnectTest, AListedConnectorThatVanishedIsMissing) {
  server.put("orders-postgres-source", Connector{});
  ConnectConfig c = config();
  c.connectors = {"orders-postgres-source", "snowflake-sink"};
  ConnectProbe probe(c, nullptr, Millis(15000));
  auto outcome = collect(probe);
  EXPECT_EQ(outcome.readings.value("cdcwatch_connector_state",
                                   labels("snowflake-sink", "unknown", {{"state", "MISSING"}})),
            1);
  EXPECT_NE(outcome.status["connectors"]["snowflake-sink"]["note"].get<std::string>().find(
                "not in the cluster"),
            std::string::npos);
}

TEST_F(ConnectTest, RebalanceServerErrorsMalformedAndSlowAnswersAreErrorsNotCrashes) {
  server.put("snowflake-sink", Connector{.type = "sink"});
  ConnectProbe probe(config(), nullptr, Millis(15000));

  server.script({.status = 409});
  EXPECT_TRUE(collect(probe).ok()) << "one 409 during a rebalance is retried";

  server.script({.status = 409});
  server.script({.status = 409});
  auto rebalance = collect(probe);
  EXPECT_FALSE(rebalance.ok());
  EXPECT_NE(rebalance.error_message.find("409"), std::string::npos);
  EXPECT_EQ(rebalance.readings.family("cdcwatch_connector_state"), nullptr) << "no stale states";

  server.script({.status = 500});
  auto failed = collect(probe);
  EXPECT_EQ(failed.readings.value("cdcwatch_connect_up", {{"connect", "connect"}}), 0);
  EXPECT_NE(failed.error_message.find("500: Request timed out"), std::string::npos)
      << failed.error_message;

  server.script({.malformed = true});
  auto malformed = collect(probe);
  EXPECT_FALSE(malformed.ok());
  EXPECT_NE(malformed.error_message.find("malformed JSON"), std::string::npos);

  server.script({.delay = 3000ms});
  auto started = std::chrono::steady_clock::now();
  auto slow = collect(probe);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2500ms) << "bounded by request_timeout";
  EXPECT_EQ(slow.readings.value("cdcwatch_connect_up", {{"connect", "connect"}}), 0);

  EXPECT_TRUE(collect(probe).ok()) << "and it recovers";
}

TEST_F(ConnectTest, A50MegabyteAnswerOrOneThatNeverComesIsBoundedNotFatal) {
  server.put("snowflake-sink", Connector{.type = "sink"});
  ConnectProbe probe(config(), nullptr, Millis(15000));
  server.script({.huge_body_bytes = 50u << 20});
  auto huge = collect(probe);
  EXPECT_FALSE(huge.ok());
  EXPECT_NE(huge.error_message.find("larger than"), std::string::npos) << huge.error_message;
  server.script({.delay = 60000ms});  // a worker that says nothing for a minute
  auto started = std::chrono::steady_clock::now();
  auto silent = collect(probe);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s)
      << "bounded by request_timeout, not by the worker";
  EXPECT_EQ(silent.readings.value("cdcwatch_connect_up", {{"connect", "connect"}}), 0);
}

TEST_F(ConnectTest, BasicAuthIsSentAndThePasswordNeverShown) {
  server.require_basic_auth("monitor", "connect-secret-value");
  server.put("snowflake-sink", Connector{.type = "sink"});
  ConnectConfig c = config();
  c.username = SecretString{"monitor", "monitor"};
  c.password = SecretString{"connect-secret-value", "${env:CONNECT_PASSWORD}"};
  ConnectProbe probe(c, nullptr, Millis(15000));
  auto outcome = collect(probe);
  EXPECT_TRUE(outcome.ok()) << outcome.error_message;
  c.password = SecretString{"wrong", "${env:CONNECT_PASSWORD}"};
  ConnectProbe wrong(c, nullptr, Millis(15000));
  auto refused = collect(wrong);
  EXPECT_FALSE(refused.ok());
  EXPECT_NE(refused.error_message.find("401"), std::string::npos);
  EXPECT_EQ(refused.error_message.find("connect-secret-value"), std::string::npos);
  EXPECT_EQ(describe(c).dump().find("wrong"), std::string::npos);
}

// The stall rule over the store (#16: the pipeline stage's now, with the same metric and alert).
TEST_F(ConnectTest, ASinkIsStalledWhenRunningWithLagAndFrozenOffsetsForStallAfter) {
  KafkaClusterConfig kafka;
  kafka.name = "msk";
  server.put("snowflake-sink", Connector{.type = "sink"});
  server.set_offsets("snowflake-sink",
                     {{{"partition", {{"kafka_topic", "orders"}, {"kafka_partition", 0}}},
                       {"offset", {{"kafka_offset", 100}}}}});
  ConnectProbe probe(config(), &kafka, Millis(15000));
  publish_group_lag(500);  // the lag probe's reading for the sink's group: input is waiting
  Labels sink = labels("snowflake-sink", "sink");
  const char* stalled = connect_metrics::kStalled.name;

  EXPECT_EQ(stage_cycle(probe).readings.value(stalled, sink), 0);
  clock.advance(60s);
  EXPECT_EQ(stage_cycle(probe).readings.value(stalled, sink), 0);
  EXPECT_EQ(connect_outcome.readings.value(connect_metrics::kSinceProgress.name, sink), 60);
  clock.advance(60s);
  auto after_two_minutes = stage_cycle(probe);
  EXPECT_EQ(after_two_minutes.readings.value(stalled, sink), 1) << after_two_minutes.status.dump();
  EXPECT_EQ(connect_outcome.status["connectors"]["snowflake-sink"]["progress_from"], "offsets API");
  EXPECT_EQ(after_two_minutes.status["connectors"]["connect/snowflake-sink"]["input"],
            "group connect-snowflake-sink lag 500");

  server.set_offsets("snowflake-sink",
                     {{{"partition", {{"kafka_topic", "orders"}, {"kafka_partition", 0}}},
                       {"offset", {{"kafka_offset", 180}}}}});
  clock.advance(15s);
  EXPECT_EQ(stage_cycle(probe).readings.value(stalled, sink), 0);
  EXPECT_EQ(connect_outcome.readings.value(connect_metrics::kSinceProgress.name, sink), 0);

  publish_group_lag(0);  // frozen again, but nothing is waiting: idle, not stalled
  clock.advance(10min);
  EXPECT_EQ(stage_cycle(probe).readings.value(stalled, sink), 0);
}

TEST_F(ConnectTest, AFailedTaskIsNotAStallButItsOwnState) {
  KafkaClusterConfig kafka;
  kafka.name = "msk";
  server.put("snowflake-sink", Connector{.type = "sink", .task_states = {"FAILED"}});
  publish_group_lag(500);
  ConnectProbe probe(config(), &kafka, Millis(15000));
  stage_cycle(probe);
  clock.advance(10min);
  auto outcome = stage_cycle(probe);
  EXPECT_EQ(
      outcome.readings.value(connect_metrics::kStalled.name, labels("snowflake-sink", "sink")), 0);
  EXPECT_EQ(connect_outcome.readings.value(
                connect_metrics::kTaskState.name,
                labels("snowflake-sink", "sink", {{"task", "0"}, {"state", "FAILED"}})),
            1);
}

// #16: the probe reads only Connect. It reports each connector's place in a pipeline (its config
// keys as labels) and never the joined series, which the pipeline stage computes.
TEST_F(ConnectTest, TheProbeReportsConnectorConfigsAndNoJoinedSeries) {
  server.put("orders-source",
             Connector{.type = "source",
                       .config = {{"connector.class",
                                   "io.debezium.connector.postgresql.PostgresConnector"},
                                  {"slot.name", "orders_slot"},
                                  {"database.dbname", "shop"},
                                  {"database.password", "pg-secret-value"},
                                  {"topic.prefix", "orders"}}});
  server.put("snowflake-sink",
             Connector{.type = "sink", .config = {{"topics.regex", "orders\\..*"}}});
  publish_group_lag(500);
  ConnectProbe probe(config(), nullptr, Millis(15000));
  auto outcome = collect(probe);
  ASSERT_TRUE(outcome.ok()) << outcome.error_message;
  const MetricFamily* info = outcome.readings.family(connect_metrics::kInfo.name);
  ASSERT_NE(info, nullptr);
  ASSERT_EQ(info->series.size(), 2u);
  Labels source = labels("orders-source", "source",
                         {{"class", "io.debezium.connector.postgresql.PostgresConnector"},
                          {"slot", "orders_slot"},
                          {"database", "shop"},
                          {"topic_prefix", "orders"}});
  bool found = false;
  for (const auto& series : info->series) {
    if (labels_match(series.labels, source)) found = true;
    for (const auto& [name, value] : series.labels) {
      EXPECT_EQ(value.find("pg-secret-value"), std::string::npos) << "only placement keys";
    }
  }
  EXPECT_TRUE(found);
  EXPECT_EQ(outcome.readings.family(connect_metrics::kStalled.name), nullptr);
  EXPECT_EQ(outcome.readings.family(connect_metrics::kSourceLag.name), nullptr);
}

// #15's hook: a restart keeps each connector's "no progress since", so a stall that began before
// it is not timed afresh (it would otherwise take stall_after again to page).
TEST_F(ConnectTest, ARestartKeepsWhenOffsetsLastMoved) {
  server.put("snowflake-sink", Connector{.type = "sink"});
  server.set_offsets("snowflake-sink",
                     {{{"partition", {{"kafka_topic", "orders"}, {"kafka_partition", 0}}},
                       {"offset", {{"kafka_offset", 100}}}}});
  Labels sink = labels("snowflake-sink", "sink");
  ConnectProbe before(config(), nullptr, Millis(15000));
  collect(before);
  clock.advance(90s);
  collect(before);
  nlohmann::json saved = before.save_state();

  ConnectProbe after(config(), nullptr, Millis(15000));
  after.restore_state(saved);
  clock.advance(40s);
  EXPECT_EQ(collect(after).readings.value(connect_metrics::kSinceProgress.name, sink), 130)
      << saved.dump();

  ConnectProbe fresh(config(), nullptr, Millis(15000));
  fresh.restore_state(nlohmann::json{{"progress", {{"snowflake-sink", {{"value", "x"}}}}}});
  fresh.restore_state(nlohmann::json::array());
  EXPECT_EQ(collect(fresh).readings.value(connect_metrics::kSinceProgress.name, sink), 0)
      << "malformed state is ignored";
}

TEST(ConnectorOffsets, DebeziumLsnsInNumberAndTextForm) {
  EXPECT_EQ(debezium_committed_lsn({{"lsn", 24023312}, {"txId", 555}}), 24023312);
  EXPECT_EQ(debezium_committed_lsn({{"lsn_commit", "16/B374D848"}}),
            (0x16ull << 32) | 0xB374D848ull);
  EXPECT_FALSE(debezium_committed_lsn({{"ts_usec", 1}}));
  EXPECT_FALSE(parse_pg_lsn("16-B374D848"));
  auto answer = parse_offsets_answer(
      R"({"offsets":[{"partition":{"server":"orders"},"offset":{"lsn":500,"lsn_proc":600}}]})");
  EXPECT_EQ(answer.source_lsn, 500);
  EXPECT_FALSE(parse_offsets_answer("[]").error.empty());
}

}  // namespace
}  // namespace cdcwatch
