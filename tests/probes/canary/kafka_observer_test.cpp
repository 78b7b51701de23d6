// The canary's Kafka observer against librdkafka's mock cluster: Debezium change events produced
// with explicit record timestamps, read by an assigned consumer.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "agent/core/readings_store.h"
#include "probes/canary/kafka_observer_probe.h"
#include "tests/probes/canary/avro_fixtures.h"
#include "tests/support/kafka_mock_cluster.h"
#include "tests/support/schema_registry_server.h"

namespace cdcwatch {
namespace {

using namespace std::chrono_literals;
const std::string kTopic = "orders.public.cdcwatch_canary";
constexpr int64_t kWrittenMs = 1795643243000;  // 2026-11-25T21:47:23Z

std::string envelope(const std::string& agent, int64_t seq, const std::string& written_at,
                     int64_t committed_ms, int64_t captured_ms) {
  return nlohmann::json{{"before", nullptr},
                        {"after", {{"agent_id", agent}, {"seq", seq}, {"written_at", written_at}}},
                        {"source",
                         {{"connector", "postgresql"},
                          {"name", "orders"},
                          {"ts_ms", committed_ms},
                          {"schema", "public"},
                          {"table", "cdcwatch_canary"}}},
                        {"op", "u"},
                        {"ts_ms", captured_ms}}
      .dump();
}

struct KafkaObserverTest : ::testing::Test {
  KafkaObserverTest() {
    kafka.create_topic(kTopic, 1);
    canary.name = "orders";
    canary.agent_id = "agent-1";
    canary.kafka = "msk";
    canary.topic = kTopic;
    cluster.name = "msk";
    cluster.bootstrap_servers = kafka.bootstrap();
    cluster.request_timeout = Millis(3000);
  }
  CollectOutcome collect() { return probe->collect({clock.now() + 5s, clock, store}); }
  // Collects until the observer reports `seq` (the consumer needs a moment to fetch).
  CollectOutcome collect_until_seq(int64_t seq) {
    CollectOutcome outcome;
    for (int i = 0; i < 50; ++i) {
      outcome = collect();
      auto seen = outcome.readings.value("cdcwatch_canary_last_seen_seq", stage());
      if (seen && *seen == static_cast<double>(seq)) break;
    }
    return outcome;
  }
  static Labels stage() { return {{"canary", "orders"}, {"stage", "kafka"}}; }
  void start() { probe = std::make_unique<KafkaObserverProbe>(canary, cluster, timeline); }

  testing::KafkaMockCluster kafka{1};
  CanaryConfig canary;
  KafkaClusterConfig cluster;
  std::shared_ptr<CanaryTimeline> timeline = std::make_shared<CanaryTimeline>();
  std::unique_ptr<KafkaObserverProbe> probe;
  FakeClock clock{TimePoint(std::chrono::milliseconds(kWrittenMs + 10'000))};
  ReadingsStore store;
};

TEST_F(KafkaObserverTest, FreshnessLatencyAndHopsOfTheNewestCanary) {
  kafka.produce(kTopic, 0, "k",
                envelope("agent-1", 1, "2026-11-25T21:47:23Z", kWrittenMs + 100, kWrittenMs + 500),
                kWrittenMs + 700);
  start();
  auto outcome = collect_until_seq(1);
  ASSERT_EQ(outcome.readings.value("cdcwatch_canary_last_seen_seq", stage()), 1)
      << outcome.error_message;
  EXPECT_TRUE(outcome.ok()) << outcome.error_message;
  EXPECT_DOUBLE_EQ(*outcome.readings.value("cdcwatch_canary_freshness_seconds", stage()), 10);
  EXPECT_NEAR(*outcome.readings.value("cdcwatch_canary_hop_latency_seconds",
                                      {{"canary", "orders"}, {"hop", "db_to_capture"}}),
              0.4, 1e-6);
  EXPECT_NEAR(*outcome.readings.value("cdcwatch_canary_hop_latency_seconds",
                                      {{"canary", "orders"}, {"hop", "capture_to_kafka"}}),
              0.2, 1e-6);
  const MetricFamily* latency = outcome.readings.family("cdcwatch_canary_latency_seconds");
  ASSERT_NE(latency, nullptr);
  ASSERT_EQ(latency->series.size(), 1u);
  EXPECT_EQ(latency->series[0].histogram->count, 1u);
  EXPECT_NEAR(latency->series[0].histogram->sum, 0.7, 1e-6)
      << "written_at to the record's Kafka timestamp";
}

TEST_F(KafkaObserverTest, FreshnessGrowsWhileCaptureIsStoppedAndFallsWhenItResumes) {
  kafka.produce(kTopic, 0, "k",
                envelope("agent-1", 1, "2026-11-25T21:47:23Z", kWrittenMs, kWrittenMs),
                kWrittenMs + 200);
  start();
  ASSERT_EQ(collect_until_seq(1).readings.value("cdcwatch_canary_last_seen_seq", stage()), 1);
  clock.advance(60s);
  EXPECT_DOUBLE_EQ(*collect().readings.value("cdcwatch_canary_freshness_seconds", stage()), 70);
  clock.advance(60s);
  EXPECT_DOUBLE_EQ(*collect().readings.value("cdcwatch_canary_freshness_seconds", stage()), 130);
  // Capture resumes: seq 2 written 1 s ago.
  kafka.produce(
      kTopic, 0, "k",
      envelope("agent-1", 2, "2026-11-25T21:49:32Z", kWrittenMs + 129'000, kWrittenMs + 129'100),
      kWrittenMs + 129'300);
  auto outcome = collect_until_seq(2);
  EXPECT_DOUBLE_EQ(*outcome.readings.value("cdcwatch_canary_freshness_seconds", stage()), 1);
}

TEST_F(KafkaObserverTest, OtherAgentsAndOlderSequenceNumbersDoNotCount) {
  start();
  collect();  // assigned at the (empty) end
  kafka.produce(kTopic, 0, "k",
                envelope("agent-1", 5, "2026-11-25T21:47:23Z", kWrittenMs, kWrittenMs), kWrittenMs);
  kafka.produce(kTopic, 0, "k",
                envelope("agent-2", 9, "2026-11-25T21:47:33Z", kWrittenMs, kWrittenMs), kWrittenMs);
  // An older canary replayed: a lower sequence written earlier. (A lower one written later is a
  // recreated table: canary_order.h.)
  kafka.produce(kTopic, 0, "k",
                envelope("agent-1", 4, "2026-11-25T21:47:13Z", kWrittenMs, kWrittenMs), kWrittenMs);
  auto outcome = collect_until_seq(5);
  for (int i = 0; i < 5; ++i) outcome = collect();
  EXPECT_EQ(outcome.readings.value("cdcwatch_canary_last_seen_seq", stage()), 5);
  EXPECT_DOUBLE_EQ(*outcome.readings.value("cdcwatch_canary_freshness_seconds", stage()), 10);
}

TEST_F(KafkaObserverTest, ClockSkewToTheDatabaseIsCorrected) {
  timeline->set_clock_skew(2.0);  // the agent's clock runs 2 s ahead of the database's
  kafka.produce(kTopic, 0, "k",
                envelope("agent-1", 1, "2026-11-25T21:47:23Z", kWrittenMs, kWrittenMs),
                kWrittenMs + 2500);
  start();
  auto outcome = collect_until_seq(1);
  EXPECT_DOUBLE_EQ(*outcome.readings.value("cdcwatch_canary_freshness_seconds", stage()), 8);
  EXPECT_NEAR(outcome.readings.family("cdcwatch_canary_latency_seconds")->series[0].histogram->sum,
              0.5, 1e-6);
}

TEST_F(KafkaObserverTest, AMalformedEventIsReportedWithItsOffsetAndNothingIsLost) {
  kafka.produce(kTopic, 0, "k",
                envelope("agent-1", 1, "2026-11-25T21:47:23Z", kWrittenMs, kWrittenMs), kWrittenMs);
  start();
  ASSERT_EQ(collect_until_seq(1).readings.value("cdcwatch_canary_last_seen_seq", stage()), 1);
  kafka.produce(kTopic, 0, "k", R"({"before":null,"after":{"agent_id":"agent-1","se)");
  kafka.produce(kTopic, 0, "k", std::string("\0\0\0\0\x05\x02", 6));
  kafka.produce(kTopic, 0, "k",
                envelope("agent-1", 2, "2026-11-25T21:47:30Z", kWrittenMs, kWrittenMs),
                kWrittenMs + 7000);
  auto outcome = collect_until_seq(2);
  EXPECT_EQ(outcome.readings.value("cdcwatch_canary_last_seen_seq", stage()), 2)
      << "good events around bad ones still count";
  EXPECT_EQ(outcome.readings.value("cdcwatch_canary_events_total",
                                   {{"canary", "orders"}, {"result", "unparsable"}}),
            2);
  std::string last_bad = outcome.status.value("last_unparsable_event", "");
  EXPECT_NE(last_bad.find("partition 0 offset 2"), std::string::npos) << last_bad;
  EXPECT_NE(last_bad.find("Schema Registry"), std::string::npos) << last_bad;
}

TEST_F(KafkaObserverTest, EveryRecordedDebeziumVariantIsReadFromTheTopic) {
  start();
  collect();  // assigned at the (empty) end
  auto recorded = [](const std::string& name) {
    std::ifstream file(std::string(CDCWATCH_CANARY_EVENTS) + "/" + name);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
  };
  for (const char* name :
       {"envelope_schemas.json", "envelope_plain.json", "unwrapped.json",
        "unwrapped_schemas_add_fields.json", "seq_as_string_micro_timestamp.json",
        "unwrapped_deleted.json", "delete_envelope.json", "other_table.json", "truncate_docs.json",
        "message_transactional_docs.json", "heartbeat_plain.json"}) {
    kafka.produce(kTopic, 0, "k", recorded(name), kWrittenMs + 1000);
  }
  kafka.produce(kTopic, 0, "k", "");  // a tombstone
  CollectOutcome outcome;
  for (int i = 0; i < 50; ++i) {
    outcome = collect();
    auto read = outcome.readings.value("cdcwatch_canary_events_total",
                                       {{"canary", "orders"}, {"result", "tombstone"}});
    if (read && *read >= 1) break;
  }
  auto events = [&](const char* result) {
    return outcome.readings.value("cdcwatch_canary_events_total",
                                  {{"canary", "orders"}, {"result", result}});
  };
  EXPECT_EQ(events("ok"), 5) << "five canaries";
  EXPECT_EQ(events("delete"), 2);
  EXPECT_EQ(events("tombstone"), 1);
  EXPECT_EQ(events("truncate"), 1);
  EXPECT_EQ(events("message"), 1);
  EXPECT_EQ(events("heartbeat"), 1);
  EXPECT_EQ(events("unparsable"), 1) << "a row of another table";
  EXPECT_EQ(outcome.readings.value("cdcwatch_canary_last_seen_seq", stage()), 42);
  EXPECT_NEAR(*outcome.readings.value("cdcwatch_canary_freshness_seconds", stage()), 10 - 0.123456,
              1e-6);
}

TEST_F(KafkaObserverTest, AMissingTopicIsAnErrorNamingItAndTheFix) {
  canary.topic = "orders.public.no_such_table";
  start();
  auto outcome = collect();
  ASSERT_FALSE(outcome.ok());
  EXPECT_NE(outcome.error_message.find("orders.public.no_such_table does not exist"),
            std::string::npos)
      << outcome.error_message;
  EXPECT_NE(outcome.error_message.find("table.include.list"), std::string::npos);
  clock.advance(30s);
  outcome = collect();
  EXPECT_DOUBLE_EQ(*outcome.readings.value("cdcwatch_canary_freshness_seconds", stage()), 30)
      << "a stage that cannot be read keeps its clock running (issue #15 item 3)";
  EXPECT_EQ(outcome.readings.value("cdcwatch_canary_observer_up", stage()), 0);
  EXPECT_NE(outcome.status.value("observer_error", "").find("does not exist"), std::string::npos);
}

TEST_F(KafkaObserverTest, BeforeAnyCanaryFreshnessCountsFromTheStartOfWatching) {
  start();
  collect();
  clock.advance(45s);
  auto outcome = collect();
  EXPECT_DOUBLE_EQ(*outcome.readings.value("cdcwatch_canary_freshness_seconds", stage()), 45);
  EXPECT_NE(outcome.status.value("note", "").find("no canary"), std::string::npos);
}

// Issue #15 item 5: a restart keeps the stage's clock. Saved before any canary arrived, the new
// probe counts from when the old one started watching; saved after one, it knows the canary at
// once. On the old code the new probe started from zero and the page came that much later.
TEST_F(KafkaObserverTest, ARestartKeepsTheStagesClockAndItsNewestCanary) {
  start();
  collect();
  clock.advance(45s);
  nlohmann::json waiting = probe->save_state();
  start();
  probe->restore_state(waiting);
  clock.advance(30s);
  EXPECT_DOUBLE_EQ(*collect().readings.value("cdcwatch_canary_freshness_seconds", stage()), 75);

  kafka.produce(kTopic, 0, "k",
                envelope("agent-1", 1, "2026-11-25T21:47:23Z", kWrittenMs, kWrittenMs),
                kWrittenMs + 500);
  ASSERT_EQ(collect_until_seq(1).readings.value("cdcwatch_canary_last_seen_seq", stage()), 1);
  nlohmann::json seen = probe->save_state();
  ASSERT_TRUE(seen.is_object()) << seen.dump();
  EXPECT_EQ(seen["arrivals"].size(), 1u);
  timeline = std::make_shared<CanaryTimeline>();
  start();
  probe->restore_state(seen);
  EXPECT_EQ(timeline->kafka_time(1), static_cast<double>(kWrittenMs + 500) / 1000);
  clock.advance(100s);
  auto outcome = collect();
  EXPECT_EQ(outcome.readings.value("cdcwatch_canary_last_seen_seq", stage()), 1);
  EXPECT_NEAR(*outcome.readings.value("cdcwatch_canary_freshness_seconds", stage()),
              to_unix_seconds(clock.now()) - kWrittenMs / 1000.0, 1e-6);
  EXPECT_EQ(outcome.readings.family("cdcwatch_canary_latency_seconds")->series[0].histogram->count,
            0u)
      << "the canary read again after the restart is not a second arrival";
}

TEST_F(KafkaObserverTest, AStateForAnotherTopicOrMalformedIsIgnored) {
  start();
  collect();
  clock.advance(45s);
  nlohmann::json saved = probe->save_state();
  canary.topic = "orders.public.other";
  kafka.create_topic(canary.topic, 1);
  for (const nlohmann::json& state :
       {saved, nlohmann::json("junk"), nlohmann::json{{"version", 99}}, nlohmann::json::array()}) {
    start();
    EXPECT_NO_THROW(probe->restore_state(state));
    clock.advance(10s);
    EXPECT_DOUBLE_EQ(*collect().readings.value("cdcwatch_canary_freshness_seconds",
                                               {{"canary", "orders"}, {"stage", "kafka"}}),
                     0)
        << state.dump() << ": a fresh start";
  }
}
// Issue #20: with schema_registry on the kafka: entry, Confluent-framed Avro events are read with
// the registry's writer schema. With the registry down an event of a new schema id cannot be read:
// the stage is blind (observer_up 0, the error named and counted), and its freshness keeps
// counting from the last canary it read.
TEST_F(KafkaObserverTest, AvroEventsAreReadWithTheRegistrysWriterSchema) {
  testing::SchemaRegistryServer registry;
  registry.start();
  std::string schema = testing::envelope_schema(
      nlohmann::json{{"type", "string"}, {"connect.name", "io.debezium.time.ZonedTimestamp"}});
  registry.add(testing::kSchemaId, schema);
  cluster.schema_registry =
      SchemaRegistryConfig{registry.url(), std::nullopt, std::nullopt, "", Millis(1000)};
  start();
  collect();  // assigned at the (empty) end
  kafka.produce(kTopic, 0, "k", testing::encode(schema, "2026-11-25T21:47:23Z", 7),
                kWrittenMs + 500);
  auto read = collect_until_seq(7);
  ASSERT_EQ(read.readings.value("cdcwatch_canary_last_seen_seq", stage()), 7) << read.status.dump();
  EXPECT_EQ(read.readings.value("cdcwatch_canary_observer_up", stage()), 1);

  // A cached writer schema needs no registry; a new one (schema evolution) does.
  registry.stop();
  std::string evolved = testing::encode(schema, "2026-11-25T21:47:33Z", 8);
  evolved[4] = static_cast<char>(testing::kSchemaId + 1 - 256);  // schema id 264
  kafka.produce(kTopic, 0, "k", evolved, kWrittenMs + 10500);
  CollectOutcome blind;
  for (int i = 0; i < 50; ++i) {
    blind = collect();
    auto errors = blind.readings.value("cdcwatch_canary_schema_registry_errors_total",
                                       {{"canary", "orders"}, {"reason", "http"}});
    if (errors && *errors >= 1) break;
  }
  EXPECT_EQ(blind.readings.value("cdcwatch_canary_observer_up", stage()), 0);
  EXPECT_NE(blind.status.value("observer_error", "").find("Schema Registry"), std::string::npos)
      << blind.status.dump();
  EXPECT_DOUBLE_EQ(*blind.readings.value("cdcwatch_canary_freshness_seconds", stage()), 10)
      << "from the canary read before the registry went down";
}

// Issue #20: Apicurio's header framing (the datum alone, its content id in the record header
// apicurio.value.contentId) is read through the registry; a Protobuf event after it blinds the
// stage and is counted by format. On the old code the probe passed no headers on.
TEST_F(KafkaObserverTest, ApicurioHeaderFramedEventsAreReadAndAProtobufOneIsNamed) {
  testing::SchemaRegistryServer registry;
  registry.start();
  std::string schema = testing::envelope_schema("string");
  registry.add(3, schema);
  registry.add(4, "syntax = \"proto3\"; message Envelope {}", "PROTOBUF");
  cluster.schema_registry =
      SchemaRegistryConfig{registry.url(), std::nullopt, std::nullopt, "", Millis(1000)};
  start();
  collect();  // assigned at the (empty) end
  std::string content_id_3("\0\0\0\0\0\0\0\x03", 8);
  kafka.produce(kTopic, 0, "k", testing::encode(schema, "2026-11-25T21:47:23Z", 9).substr(5),
                kWrittenMs + 500, {{"apicurio.value.contentId", content_id_3}});
  auto read = collect_until_seq(9);
  ASSERT_EQ(read.readings.value("cdcwatch_canary_last_seen_seq", stage()), 9) << read.status.dump();

  kafka.produce(kTopic, 0, "k", std::string("\0\0\0\0\x04\0\x0a\x01u", 9), kWrittenMs + 900);
  CollectOutcome blind;
  for (int i = 0; i < 50; ++i) {
    blind = collect();
    auto unsupported = blind.readings.value("cdcwatch_canary_unsupported_events_total",
                                            {{"canary", "orders"}, {"format", "protobuf"}});
    if (unsupported && *unsupported >= 1) break;
  }
  EXPECT_EQ(blind.readings.value("cdcwatch_canary_unsupported_events_total",
                                 {{"canary", "orders"}, {"format", "protobuf"}}),
            1);
  EXPECT_EQ(blind.readings.value("cdcwatch_canary_observer_up", stage()), 0);
  EXPECT_NE(blind.status.value("observer_error", "").find("ProtobufConverter"), std::string::npos)
      << blind.status.dump();
}

}  // namespace
}  // namespace cdcwatch
