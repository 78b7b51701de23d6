// Checks the test peers themselves, so a failure elsewhere is not blamed on them.
#include <gtest/gtest.h>

#include "agent/http/http_client.h"
#include "tests/support/http_test_server.h"
#include "tests/support/kafka_mock_cluster.h"

namespace cdcwatch {
namespace {

TEST(HttpTestServer, AnswersScriptedRoutesAndRecordsRequests) {
  testing::HttpTestServer server;
  server.on("GET", "/connectors/([^/]+)/status", [](const testing::RecordedRequest& r) {
    return testing::TestReply{200, R"({"name":")" + r.path.substr(12, 4) + R"("})"};
  });
  server.start();
  HttpResponse response = send_http({.url = server.url() + "/connectors/sink/status?x=1"});
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, R"({"name":"sink"})");
  EXPECT_EQ(send_http({.url = server.url() + "/nothing"}).status, 404);
  ASSERT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(server.requests()[0].query.find("x")->second, "1");
}

TEST(HttpClient, GivesUpOnASlowPeerAtItsDeadline) {
  testing::HttpTestServer server;
  server.on("GET", "/slow", [](const auto&) {
    return testing::TestReply{200, "late", "text/plain", {}, std::chrono::milliseconds(1500)};
  });
  server.start();
  HttpResponse response = send_http({.url = server.url() + "/slow", .timeout = Millis(300)});
  EXPECT_FALSE(response.transport_ok());
  EXPECT_FALSE(response.error.empty());
}

TEST(HttpClient, CapsTheBodySize) {
  testing::HttpTestServer server;
  server.on("GET", "/big", [](const auto&) {
    return testing::TestReply{200, std::string(1 << 20, 'x'), "text/plain"};
  });
  server.start();
  HttpResponse response = send_http({.url = server.url() + "/big", .max_body_bytes = 1000});
  EXPECT_NE(response.error.find("larger than"), std::string::npos) << response.error;
}

TEST(KafkaMockCluster, ProducesWithOffsetsAndCommitsGroups) {
  testing::KafkaMockCluster kafka(1);
  kafka.create_topic("t", 2);
  EXPECT_EQ(kafka.produce("t", 1, "k", "v1", 1'700'000'000'000), 0);
  EXPECT_EQ(kafka.produce("t", 1, "k", "v2"), 1);
  EXPECT_NO_THROW(kafka.commit("g", "t", 1, 1));
}

}  // namespace
}  // namespace cdcwatch
