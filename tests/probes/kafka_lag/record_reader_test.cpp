// The record reader (lag in seconds) against librdkafka's mock cluster with three brokers.
#include "probes/kafkaconn/record_reader.h"

#include <gtest/gtest.h>
#include <librdkafka/rdkafka_mock.h>

#include "tests/support/kafka_mock_cluster.h"

namespace cdcwatch {
namespace {

using namespace std::chrono_literals;

constexpr int64_t kProducedAtMs = 1'800'000'000'000;

struct RecordReaderTest : ::testing::Test {
  // Topics a and b of 6 partitions, partition p led by broker p % 3 + 1, each holding 3 records
  // produced at kProducedAtMs + offset seconds.
  void SetUp() override {
    for (const char* topic : {"a", "b"}) {
      kafka.create_topic(topic, 6, 3);
      for (int p = 0; p < 6; ++p) {
        ASSERT_EQ(rd_kafka_mock_partition_set_leader(kafka.raw(), topic, p, p % 3 + 1),
                  RD_KAFKA_RESP_ERR_NO_ERROR);
        for (int64_t offset = 0; offset < 3; ++offset) {
          kafka.produce(topic, p, "k", "v", kProducedAtMs + offset * 1000);
        }
      }
    }
  }
  KafkaClusterConfig config() const {
    KafkaClusterConfig c;
    c.name = "msk";
    c.bootstrap_servers = kafka.bootstrap();
    c.request_timeout = Millis(3000);
    return c;
  }
  // Offset `offset` of every partition of both topics, with its leader.
  static std::vector<WantedRecord> every_partition_at(int64_t offset) {
    std::vector<WantedRecord> wanted;
    for (const char* topic : {"a", "b"}) {
      for (int32_t p = 0; p < 6; ++p) wanted.push_back({{topic, p}, offset, p % 3 + 1});
    }
    return wanted;
  }
  static TimePoint in(std::chrono::seconds seconds) {
    return std::chrono::system_clock::now() + seconds;
  }

  testing::KafkaMockCluster kafka{3};
};

TEST_F(RecordReaderTest, OneClientReadsFromEveryLeaderAndIsKeptForTheNextRead) {
  RecordReader reader(config());
  EXPECT_EQ(reader.clients_made(), 0u) << "no client before there is something to read";
  for (int64_t offset : {1, 2}) {
    RecordReads reads = reader.read(every_partition_at(offset), in(10s));
    ASSERT_EQ(reads.timestamps_ms.size(), 12u) << "at offset " << offset;
    for (const auto& [key, timestamp_ms] : reads.timestamps_ms) {
      EXPECT_EQ(key.second, offset);
      EXPECT_EQ(timestamp_ms, kProducedAtMs + offset * 1000) << key.first.first << key.first.second;
    }
    EXPECT_TRUE(reads.denied.empty());
  }
  EXPECT_EQ(reader.clients_made(), 1u)
      << "three leaders and two reads, one client (it was one per leader broker, made anew when "
         "leadership moved)";
}

TEST_F(RecordReaderTest, NothingToReadMakesNoClientAndAPassedDeadlineReadsNothing) {
  RecordReader reader(config());
  EXPECT_TRUE(reader.read({}, in(10s)).timestamps_ms.empty());
  EXPECT_EQ(reader.clients_made(), 0u);
  EXPECT_TRUE(reader.read(every_partition_at(1), in(-1s)).timestamps_ms.empty());
}

TEST_F(RecordReaderTest, WireCountsSayWhatAClientMadeWhileCountingFetched) {
  RecordReader counted(config()), uncounted(config());
  count_wire_traffic(true);  // the reader makes its client on its first read
  ASSERT_EQ(counted.read(every_partition_at(1), in(10s)).timestamps_ms.size(), 12u);
  count_wire_traffic(false);
  ASSERT_EQ(uncounted.read(every_partition_at(1), in(10s)).timestamps_ms.size(), 12u);

  WireCounts wire = counted.wire_counts();
  EXPECT_GE(wire.requests_by_api_key[1], 3u) << "a Fetch to each of the three leaders";
  EXPECT_EQ(api_key_name(1), "Fetch");
  EXPECT_GE(wire.requests_by_api_key[3], 1u) << "Metadata";
  EXPECT_EQ(wire.requests_by_api_key[2], 0u) << "no ListOffsets: the offsets were given";
  uint64_t by_kind = 0;
  for (uint64_t n : wire.requests_by_api_key) by_kind += n;
  EXPECT_EQ(wire.requests, by_kind);
  EXPECT_GT(wire.bytes_received_by_api_key[1], 12u * 3) << "twelve records came back";
  EXPECT_GT(wire.bytes_sent, 0u);
  EXPECT_EQ(uncounted.wire_counts().requests, 0u) << "made with counting off";
}

}  // namespace
}  // namespace cdcwatch
