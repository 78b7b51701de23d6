// The per-group committed-offset reader against librdkafka's mock cluster.
#include "probes/kafka_lag/committed_offsets_reader.h"

#include <gtest/gtest.h>

#include "tests/support/kafka_mock_cluster.h"

namespace cdcwatch {
namespace {

TEST(CommittedOffsetsReader, ReadsEachGroupsCommitsAndClosesClientsOfDroppedGroups) {
  testing::KafkaMockCluster kafka{1};
  kafka.create_topic("t", 3);
  kafka.commit("a", "t", 0, 4);
  kafka.commit("a", "t", 2, 9);
  kafka.commit("b", "t", 1, 7);
  KafkaClusterConfig config;
  config.name = "msk";
  config.bootstrap_servers = kafka.bootstrap();
  config.request_timeout = Millis(3000);
  CommittedOffsetsReader reader(config);
  std::vector<CommittedOffsetsReader::TopicPartition> all = {{"t", 0}, {"t", 1}, {"t", 2}};

  auto both = reader.read({{"a", all}, {"b", all}}, 5000);
  ASSERT_EQ(both["a"].error, "");
  ASSERT_EQ(both["b"].error, "");
  EXPECT_EQ(
      both["a"].committed.to_map(),
      (std::map<CommittedOffsetsReader::TopicPartition, int64_t>{{{"t", 0}, 4}, {{"t", 2}, 9}}))
      << "a partition without a commit is absent";
  EXPECT_EQ(both["b"].committed.to_map(),
            (std::map<CommittedOffsetsReader::TopicPartition, int64_t>{{{"t", 1}, 7}}));
  EXPECT_EQ(reader.open_clients(), 2u);

  auto one = reader.read({{"b", all}}, 5000);
  EXPECT_EQ(one.count("a"), 0u);
  EXPECT_EQ(one["b"].committed.to_map().at({"t", 1}), 7);
  EXPECT_EQ(reader.open_clients(), 1u) << "the client of a group no longer watched is closed";
}

TEST(CommittedOffsetsReader, AnUnreachableClusterIsEachGroupsError) {
  KafkaClusterConfig config;
  config.name = "msk";
  config.bootstrap_servers = "127.0.0.1:1";
  config.request_timeout = Millis(500);
  CommittedOffsetsReader reader(config);
  std::vector<CommittedOffsetsReader::TopicPartition> one = {{"t", 0}};
  auto out = reader.read({{"a", one}, {"b", one}}, 800);
  EXPECT_NE(out["a"].error.find("OffsetFetch for group a failed"), std::string::npos)
      << out["a"].error;
  EXPECT_NE(out["b"].error.find("OffsetFetch for group b failed"), std::string::npos);
}

}  // namespace
}  // namespace cdcwatch
