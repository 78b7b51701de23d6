// The group shim in front of librdkafka's mock cluster, spoken to by a real librdkafka client:
// what it forwards, rewrites and answers (kafka_group_shim.h).
#include "tests/support/kafka_group_shim.h"

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include <memory>

#include "tests/support/kafka_mock_cluster.h"
#include "tests/support/kafka_shim_messages.h"
#include "tests/support/kafka_wire.h"

namespace cdcwatch {
namespace {

struct ClientDeleter {
  void operator()(rd_kafka_t* client) const { rd_kafka_destroy(client); }
};
using Client = std::unique_ptr<rd_kafka_t, ClientDeleter>;

Client client_of(const std::string& bootstrap) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char error[512];
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), error, sizeof error);
  rd_kafka_conf_set(conf, "log_level", "3", error, sizeof error);
  return Client(rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof error));
}

struct ListedGroup {
  std::string protocol_type;
  std::string state;
  std::vector<std::string> assigned_topics;
  int listed = 0;  // how many brokers listed it
};

// The topics of a ConsumerProtocolAssignment v0 (version, [topic, [partition]], user_data).
std::vector<std::string> assigned_topics(const void* data, int size) {
  testing::kafka_wire::Reader in(std::string_view(static_cast<const char*>(data), size));
  in.int16();
  std::vector<std::string> topics;
  for (int32_t t = in.int32(); t > 0; --t) {
    topics.push_back(in.string());
    for (int32_t p = in.int32(); p > 0; --p) in.int32();
  }
  return topics;
}

std::map<std::string, ListedGroup> list_groups(rd_kafka_t* client) {
  const rd_kafka_group_list* list = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_list_groups(client, nullptr, &list, 5000);
  EXPECT_EQ(err, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(err);
  std::map<std::string, ListedGroup> out;
  for (int i = 0; list && i < list->group_cnt; ++i) {
    const auto& info = list->groups[i];
    ListedGroup& group = out[info.group];
    group.protocol_type = info.protocol_type;
    group.state = info.state;
    ++group.listed;
    for (int m = 0; m < info.member_cnt; ++m) {
      for (auto& topic : assigned_topics(info.members[m].member_assignment,
                                         info.members[m].member_assignment_size)) {
        group.assigned_topics.push_back(topic);
      }
    }
  }
  if (list) rd_kafka_group_list_destroy(list);
  return out;
}

TEST(KafkaGroupShim, ListsCommittedAndRegisteredGroupsOnceEachWithTheirAssignments) {
  testing::KafkaMockCluster kafka{3};
  kafka.create_topic("orders", 2, 3);
  testing::KafkaGroupShim shim(kafka.bootstrap());
  testing::KafkaMockCluster::commit_through(shim.bootstrap(), "connect-sink-a", "orders", 0, 0);
  shim.register_group("connect-new-sink", "consumer", {{"orders", {0, 1}}});
  shim.register_group("connect-cluster", "connect");
  Client client = client_of(shim.bootstrap());
  auto groups = list_groups(client.get());
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups["connect-sink-a"].listed, 1) << "only its coordinator lists it";
  EXPECT_EQ(groups["connect-sink-a"].protocol_type, "");
  EXPECT_EQ(groups["connect-sink-a"].state, "Empty");
  EXPECT_EQ(groups["connect-new-sink"].state, "Stable");
  EXPECT_EQ(groups["connect-new-sink"].assigned_topics, std::vector<std::string>{"orders"});
  EXPECT_EQ(groups["connect-cluster"].protocol_type, "connect");
}

// ApiVersions v3 is flexible: a compact array of entries with tagged fields, then throttle_time_ms
// and the body's tagged fields (https://kafka.apache.org/protocol#The_Messages_ApiVersions).
TEST(KafkaGroupShim, ApiVersionsV3GainsTheGroupApisAndCapsTheParsedOnesToNonFlexible) {
  testing::kafka_wire::Writer mock;
  mock.int32(42).int16(0).unsigned_varint(3);
  mock.int16(3).int16(0).int16(12).unsigned_varint(0);  // Metadata 0-12
  mock.int16(1).int16(0).int16(13).unsigned_varint(0);  // Fetch 0-13: not parsed, not capped
  mock.int32(0).unsigned_varint(0);
  std::string rewritten = testing::kafka_shim::rewrite_api_versions(mock.data(), 3);
  testing::kafka_wire::Reader in(rewritten);
  EXPECT_EQ(in.int32(), 42);
  EXPECT_EQ(in.int16(), 0);
  std::map<int16_t, std::pair<int16_t, int16_t>> apis;
  for (uint32_t n = in.unsigned_varint() - 1; n > 0; --n) {
    int16_t key = in.int16();
    int16_t min = in.int16();
    apis[key] = {min, in.int16()};
    in.skip_tagged_fields();
  }
  EXPECT_EQ(apis[3], std::make_pair(int16_t{0}, int16_t{8})) << "Metadata v9+ is flexible";
  EXPECT_EQ(apis[1], std::make_pair(int16_t{0}, int16_t{13}));
  EXPECT_EQ(apis[16], std::make_pair(int16_t{0}, int16_t{2})) << "ListGroups";
  EXPECT_EQ(apis[15], std::make_pair(int16_t{0}, int16_t{4})) << "DescribeGroups";
  EXPECT_EQ(in.int32(), 0) << "throttle_time_ms";
  in.skip_tagged_fields();
  EXPECT_TRUE(in.rest().empty());
}

TEST(KafkaGroupShim, ClientsStayBehindTheShimAndStillReadOffsets) {
  testing::KafkaMockCluster kafka{3};
  kafka.create_topic("orders", 3, 3);
  kafka.produce("orders", 1, "k", "v");
  testing::KafkaGroupShim shim(kafka.bootstrap());
  Client client = client_of(shim.bootstrap());
  const rd_kafka_metadata_t* metadata = nullptr;
  ASSERT_EQ(rd_kafka_metadata(client.get(), 1, nullptr, &metadata, 5000),
            RD_KAFKA_RESP_ERR_NO_ERROR);
  ASSERT_EQ(metadata->broker_cnt, 3);
  for (int b = 0; b < metadata->broker_cnt; ++b) {
    std::string address =
        std::string(metadata->brokers[b].host) + ":" + std::to_string(metadata->brokers[b].port);
    EXPECT_NE(shim.bootstrap().find(address), std::string::npos) << address;
  }
  rd_kafka_metadata_destroy(metadata);
  int64_t low = -1, high = -1;
  ASSERT_EQ(rd_kafka_query_watermark_offsets(client.get(), "orders", 1, &low, &high, 5000),
            RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(high, 1);
}

TEST(KafkaGroupShim, AConsumerThatJoinsThroughTheShimIsListedAsAConsumerGroup) {
  testing::KafkaMockCluster kafka{1};
  kafka.create_topic("orders", 1);
  testing::KafkaGroupShim shim(kafka.bootstrap());
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char error[512];
  for (auto [key, value] : {std::pair{"bootstrap.servers", shim.bootstrap().c_str()},
                            {"group.id", "joined"},
                            {"log_level", "3"}}) {
    ASSERT_EQ(rd_kafka_conf_set(conf, key, value, error, sizeof error), RD_KAFKA_CONF_OK) << error;
  }
  Client consumer(rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof error));
  ASSERT_TRUE(consumer) << error;
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, "orders", RD_KAFKA_PARTITION_UA);
  ASSERT_EQ(rd_kafka_subscribe(consumer.get(), topics), RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_topic_partition_list_destroy(topics);
  for (int i = 0; i < 100 && !shim.groups().count("joined"); ++i) {
    if (rd_kafka_message_t* message = rd_kafka_consumer_poll(consumer.get(), 100)) {
      rd_kafka_message_destroy(message);
    }
  }
  Client client = client_of(shim.bootstrap());
  auto groups = list_groups(client.get());
  EXPECT_EQ(groups["joined"].protocol_type, "consumer") << "from its JoinGroup request";
  rd_kafka_consumer_close(consumer.get());
}

TEST(KafkaGroupShim, DownClosesConnectionsAndUpServesAgain) {
  testing::KafkaMockCluster kafka{1};
  kafka.create_topic("orders", 1);
  testing::KafkaGroupShim shim(kafka.bootstrap());
  shim.register_group("g");
  shim.set_down(true);
  Client client = client_of(shim.bootstrap());
  const rd_kafka_group_list* list = nullptr;
  EXPECT_NE(rd_kafka_list_groups(client.get(), nullptr, &list, 1000), RD_KAFKA_RESP_ERR_NO_ERROR);
  shim.set_down(false);
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR__TIMED_OUT;
  for (int i = 0; i < 10 && err != RD_KAFKA_RESP_ERR_NO_ERROR; ++i) {
    err = rd_kafka_list_groups(client.get(), nullptr, &list, 2000);
  }
  ASSERT_EQ(err, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(err);
  EXPECT_EQ(list->group_cnt, 1);
  rd_kafka_group_list_destroy(list);
}

}  // namespace
}  // namespace cdcwatch
