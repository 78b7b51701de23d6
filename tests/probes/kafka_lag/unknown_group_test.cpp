// A group whose every partition went without a watermark is unknown: no lag, status or offsets
// series (a 0 or an `ok` would be made up), named in /status with the reason. The watermarks are
// refused by the mock cluster itself: ListOffsets (ApiKey 2) answers an error for every
// partition of one leader broker, as a broker does for a principal without Describe on the topic
// (https://kafka.apache.org/protocol#The_Messages_ListOffsets: ErrorCode per partition).
#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>

#include "agent/alerting/alert_evaluator.h"
#include "agent/alerting/rule_set.h"
#include "agent/core/readings_store.h"
#include "probes/kafka_lag/kafka_lag_probe.h"
#include "tests/support/kafka_mock_cluster.h"

namespace cdcwatch {
namespace {

using namespace std::chrono_literals;

constexpr int16_t kListOffsets = 2;

struct UnknownGroupTest : ::testing::Test {
  UnknownGroupTest() {
    kafka.create_topic("orders", 1);
    kafka.create_topic("payments", 2);
    rd_kafka_mock_partition_set_leader(kafka.raw(), "orders", 0, 1);
    rd_kafka_mock_partition_set_leader(kafka.raw(), "payments", 0, 2);
    rd_kafka_mock_partition_set_leader(kafka.raw(), "payments", 1, 2);
    for (int i = 0; i < 5; ++i) kafka.produce("orders", 0, "k", "v");
    for (int i = 0; i < 4; ++i) kafka.produce("payments", i % 2, "k", "v");
    kafka.commit("orders-sink", "orders", 0, 3);
    kafka.commit("payments-sink", "payments", 0, 1);
    kafka.commit("payments-sink", "payments", 1, 1);
  }
  KafkaClusterConfig config() {
    KafkaClusterConfig c;
    c.name = "msk";
    c.bootstrap_servers = kafka.bootstrap();
    c.consumer_groups = {"orders-sink", "payments-sink"};
    c.request_timeout = 2s;
    return c;
  }
  // Every ListOffsets to broker 2, the leader of payments, answers `error` for its partitions.
  void refuse_watermarks_of_payments(rd_kafka_resp_err_t error, int requests) {
    for (int i = 0; i < requests; ++i) {
      rd_kafka_mock_broker_push_request_error_rtts(kafka.raw(), 2, kListOffsets, 1, error, 0);
    }
  }
  CollectOutcome collect(KafkaLagProbe& probe) {
    return probe.collect({clock.now() + 10s, clock, store});
  }
  static Labels group(const std::string& name) { return {{"kafka", "msk"}, {"group", name}}; }

  testing::KafkaMockCluster kafka{2};
  FakeClock clock{TimePoint(std::chrono::milliseconds(1'800'000'000'000))};
  ReadingsStore store;
};

TEST_F(UnknownGroupTest, AGroupWithNoWatermarkAnsweredForAnyPartitionIsUnknownNotZero) {
  KafkaLagProbe probe(config(), Millis(15000));
  ASSERT_TRUE(collect(probe).ok());
  refuse_watermarks_of_payments(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, 4);
  clock.advance(15s);
  auto outcome = collect(probe);
  ASSERT_TRUE(outcome.ok()) << outcome.error_message;
  const Readings& r = outcome.readings;
  EXPECT_EQ(r.value("cdcwatch_kafka_consumer_group_lag_messages", group("orders-sink")), 2)
      << "the other broker's partitions are still counted";
  EXPECT_FALSE(r.value("cdcwatch_kafka_consumer_group_lag_messages", group("payments-sink")));
  EXPECT_FALSE(r.value("cdcwatch_kafka_consumer_group_committed_offsets", group("payments-sink")));
  Labels ok = group("payments-sink");
  ok.emplace_back("status", "ok");
  EXPECT_FALSE(r.value("cdcwatch_kafka_consumer_group_status", ok)) << "no status is made up";
  EXPECT_EQ(
      r.value("cdcwatch_kafka_consumer_lag_messages_unknown_partitions", group("payments-sink")),
      2);
  const auto& status = outcome.status["groups"]["payments-sink"];
  EXPECT_EQ(status["status"], "unknown") << outcome.status.dump();
  EXPECT_EQ(status["reason"], "no watermark answered for any of its partitions");
  EXPECT_TRUE(status["lag_messages"].is_null());
  EXPECT_EQ(outcome.status["groups_unknown"], 1);
  EXPECT_NE(outcome.status.value("watermarks", "").find("Topic authorization failed"),
            std::string::npos)
      << outcome.status.dump();
  EXPECT_EQ(r.value("cdcwatch_kafka_up", {{"kafka", "msk"}}), 1) << "the cluster still answers";

  for (int i = 0; i < 5 && outcome.status.contains("watermarks"); ++i) {  // refusals used up
    clock.advance(15s);
    outcome = collect(probe);
  }
  EXPECT_EQ(
      outcome.readings.value("cdcwatch_kafka_consumer_group_lag_messages", group("payments-sink")),
      2)
      << outcome.status.dump();
  EXPECT_FALSE(outcome.status.contains("watermarks"));
}

// On the shipped rules: the lag alerts cannot fire for partitions whose lag is unknown, so
// CdcConsumerLagUnknown pages after 5 minutes of it, naming the group; CdcKafkaDown stays quiet.
TEST_F(UnknownGroupTest, LagUnknownForFiveMinutesFiresCdcConsumerLagUnknownForThatGroup) {
  KafkaLagProbe probe(config(), Millis(15000));
  AlertEvaluator evaluator(default_rules(), EvaluatorOptions{});
  std::vector<AlertEvent> events;
  auto cycle = [&] {
    auto outcome = collect(probe);
    store.publish(probe.name(), std::move(outcome.readings));
    for (auto& event : evaluator.evaluate(store, clock.now(), true)) events.push_back(event);
  };
  cycle();
  refuse_watermarks_of_payments(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, 40);
  for (int minute = 0; minute <= 5; ++minute) {
    if (minute > 0) clock.advance(1min);
    cycle();
  }
  auto named = [&](const std::string& alert) {
    std::vector<AlertEvent> out;
    std::copy_if(events.begin(), events.end(), std::back_inserter(out),
                 [&](const AlertEvent& e) { return e.alert == alert; });
    return out;
  };
  EXPECT_TRUE(named("CdcKafkaDown").empty()) << "the cluster is read";
  auto unknown = named("CdcConsumerLagUnknown");
  ASSERT_EQ(unknown.size(), 1u) << "5 minutes unknown";
  EXPECT_EQ(unknown[0].action, AlertEvent::Action::kTrigger);
  EXPECT_NE(unknown[0].summary.find("group payments-sink on msk is unknown on 2 partitions"),
            std::string::npos)
      << unknown[0].summary;
}

}  // namespace
}  // namespace cdcwatch
