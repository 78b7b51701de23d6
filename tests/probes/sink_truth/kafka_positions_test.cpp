// The sink-truth probe's Kafka reads against librdkafka's mock cluster: high watermarks of many
// partitions in a few batched ListOffsets requests, counted on the wire (kafka_handle.h).
#include "probes/sink_truth/kafka_positions.h"

#include <gtest/gtest.h>

#include "probes/kafkaconn/kafka_handle.h"
#include "tests/support/kafka_mock_cluster.h"

namespace cdcwatch {
namespace {

using namespace std::chrono_literals;

constexpr int kListOffsets = 2;  // the protocol's ApiKey

struct KafkaPositionsTest : ::testing::Test {
  KafkaHandle counted_handle() {
    KafkaClusterConfig config;
    config.name = "msk";
    config.bootstrap_servers = kafka.bootstrap();
    config.request_timeout = Millis(5000);
    count_wire_traffic(true);
    KafkaHandle handle = make_kafka_consumer(config, "cdcwatch-sink-truth");
    count_wire_traffic(false);
    return handle;
  }
  testing::KafkaMockCluster kafka{3};
  FakeClock clock{TimePoint(std::chrono::milliseconds(1'800'000'000'000))};
};

// One rd_kafka_query_watermark_offsets per partition sent 2,500 ListOffsets requests here.
TEST_F(KafkaPositionsTest, HighWatermarksOfManyPartitionsComeInAFewRequestsPerBroker) {
  kafka.create_topic("orders", 2500);
  kafka.produce_to_every_partition("orders", 2500, 2);
  kafka.produce("orders", 1234, "k", "v");
  std::vector<TopicPartitionKey> partitions;
  for (int32_t p = 0; p < 2500; ++p) partitions.emplace_back("orders", p);
  KafkaHandle handle = counted_handle();

  WatermarksRead read = read_high_watermarks(handle.get(), partitions, clock.now() + 10s, clock);
  EXPECT_EQ(read.error, "");
  ASSERT_EQ(read.high.size(), 2500u);
  EXPECT_EQ(read.high.at({"orders", 0}), 2);
  EXPECT_EQ(read.high.at({"orders", 1234}), 3);
  EXPECT_EQ(read.high.at({"orders", 2499}), 2);
  uint64_t list_offsets = wire_counts(handle.get()).requests_by_api_key[kListOffsets];
  EXPECT_GE(list_offsets, 3u) << "each of the three leaders is asked";
  EXPECT_LE(list_offsets, 3u * 3) << "three batches of at most 1,000, one request per leader each";
}

TEST_F(KafkaPositionsTest, APartitionTheBrokersDoNotKnowIsNamedAndTheOthersAreRead) {
  kafka.create_topic("orders", 2);
  kafka.produce("orders", 1, "k", "v");
  KafkaHandle handle = counted_handle();
  WatermarksRead read = read_high_watermarks(
      handle.get(), {{"orders", 0}, {"orders", 1}, {"orders", 7}}, clock.now() + 10s, clock);
  EXPECT_EQ(read.high,
            (std::map<TopicPartitionKey, int64_t>{{{"orders", 0}, 0}, {{"orders", 1}, 1}}));
  EXPECT_NE(read.error.find("high watermark of orders/7"), std::string::npos) << read.error;
}

TEST_F(KafkaPositionsTest, APassedDeadlineSendsNothingAndSaysSo) {
  kafka.create_topic("orders", 1);
  KafkaHandle handle = counted_handle();
  WatermarksRead read =
      read_high_watermarks(handle.get(), {{"orders", 0}}, clock.now() - 1s, clock);
  EXPECT_TRUE(read.high.empty());
  EXPECT_NE(read.error.find("high watermarks not all read: ListOffsets failed: Local: Timed out"),
            std::string::npos)
      << read.error;
  EXPECT_EQ(wire_counts(handle.get()).requests_by_api_key[kListOffsets], 0u);
}

}  // namespace
}  // namespace cdcwatch
