// Consumer-group discovery (`discover_groups`) against librdkafka's mock cluster behind the group
// shim, which answers ListGroups and DescribeGroups as a real broker would (kafka_group_shim.h).
#include "probes/kafka_lag/group_discovery.h"

#include <gtest/gtest.h>

#include "agent/alerting/alert_evaluator.h"
#include "agent/alerting/rule_set.h"
#include "agent/app/agent.h"
#include "agent/core/readings_store.h"
#include "probes/kafka_lag/kafka_lag_probe.h"
#include "tests/agent/config_parsing.h"
#include "tests/support/agent_metrics.h"
#include "tests/support/child_process.h"
#include "tests/support/kafka_group_shim.h"
#include "tests/support/kafka_mock_cluster.h"

namespace cdcwatch {
namespace {

using namespace std::chrono_literals;

struct DiscoveryTest : ::testing::Test {
  DiscoveryTest() {
    kafka.create_topic("orders", 1);
    for (int i = 0; i < 5; ++i) kafka.produce("orders", 0, "k", "v");
  }
  KafkaClusterConfig config() {
    KafkaClusterConfig c;
    c.name = "msk";
    c.bootstrap_servers = shim.bootstrap();
    c.consumer_groups = {"orders-app"};
    c.discover_groups = {"connect-*"};
    c.discovery_interval = 10s;
    c.request_timeout = 1s;
    return c;
  }
  CollectOutcome collect(KafkaLagProbe& probe) {
    return probe.collect({clock.now() + 10s, clock, store});
  }
  void commit(const std::string& group, int64_t offset) {
    testing::KafkaMockCluster::commit_through(shim.bootstrap(), group, "orders", 0, offset);
  }
  static Labels group(const std::string& name) { return {{"kafka", "msk"}, {"group", name}}; }
  static std::optional<double> lag(const CollectOutcome& outcome, const std::string& name) {
    return outcome.readings.value("cdcwatch_kafka_consumer_group_lag_messages", group(name));
  }
  static std::optional<double> discovered(const CollectOutcome& outcome, const std::string& name) {
    return outcome.readings.value("cdcwatch_kafka_consumer_group_discovered", group(name));
  }

  static std::optional<double> discovery_up(const CollectOutcome& outcome) {
    return outcome.readings.value("cdcwatch_kafka_group_discovery_up", {{"kafka", "msk"}});
  }
  static std::optional<double> last_success(const CollectOutcome& outcome) {
    return outcome.readings.value("cdcwatch_kafka_group_discovery_last_success_timestamp_seconds",
                                  {{"kafka", "msk"}});
  }

  testing::KafkaMockCluster kafka{1};
  testing::KafkaGroupShim shim{kafka.bootstrap()};
  FakeClock clock{TimePoint(std::chrono::milliseconds(1'800'000'000'000))};
  ReadingsStore store;
};

TEST_F(DiscoveryTest, ANewSinkGroupIsFoundOnTheNextListingAndOnlyMatchingConsumerGroupsAreWatched) {
  KafkaLagProbe probe(config(), Millis(15000));
  auto outcome = collect(probe);
  ASSERT_TRUE(outcome.ok()) << outcome.error_message;
  EXPECT_FALSE(discovered(outcome, "connect-new-sink"));

  commit("connect-new-sink", 2);
  commit("analytics-app", 1);                         // does not match connect-*
  shim.register_group("connect-cluster", "connect");  // Connect's worker group: no consumer
  clock.advance(5s);
  EXPECT_FALSE(lag(collect(probe), "connect-new-sink")) << "the next listing is not due yet";
  clock.advance(5s);
  outcome = collect(probe);
  ASSERT_TRUE(outcome.ok()) << outcome.error_message;
  EXPECT_EQ(discovered(outcome, "connect-new-sink"), 1);
  EXPECT_EQ(lag(outcome, "connect-new-sink"), 3);
  EXPECT_FALSE(discovered(outcome, "analytics-app")) << "glob filtered";
  EXPECT_FALSE(lag(outcome, "analytics-app"));
  EXPECT_FALSE(discovered(outcome, "connect-cluster")) << "protocol type connect";
  EXPECT_EQ(outcome.status["discovery"]["groups"], nlohmann::json::array({"connect-new-sink"}))
      << outcome.status.dump();
}

TEST_F(DiscoveryTest, AGroupThatNeverCommittedIsCountedFromTheLowWatermarkOfItsAssignedTopics) {
  shim.register_group("connect-fresh-sink", "consumer", {{"orders", {0}}});
  shim.register_group("connect-idle-sink");  // no member, no commit: nothing to count
  KafkaLagProbe probe(config(), Millis(15000));
  auto outcome = collect(probe);
  ASSERT_TRUE(outcome.ok()) << outcome.error_message;
  EXPECT_EQ(lag(outcome, "connect-fresh-sink"), 5 - 0) << "high - low watermark";
  Labels partition = group("connect-fresh-sink");
  partition.emplace_back("topic", "orders");
  partition.emplace_back("partition", "0");
  EXPECT_EQ(outcome.readings.value("cdcwatch_kafka_partition_no_commit", partition), 1);
  const auto& groups = outcome.status["groups"];
  EXPECT_EQ(groups["connect-fresh-sink"].value("never_committed", false), true) << groups.dump();
  EXPECT_EQ(groups["connect-idle-sink"]["status"], "unknown") << groups.dump();
  EXPECT_FALSE(lag(outcome, "connect-idle-sink"));
  EXPECT_EQ(discovered(outcome, "connect-idle-sink"), 1);
}

TEST_F(DiscoveryTest, ASlowListingMarksDiscoveryDownAndKeepsTheGroupsForTheGraceThenDropsThem) {
  commit("connect-sink", 4);
  commit("orders-app", 3);
  KafkaLagProbe probe(config(), Millis(15000));
  ASSERT_EQ(lag(collect(probe), "connect-sink"), 1);
  shim.set_group_answer_delay(3s);  // longer than request_timeout
  for (int listing = 1; listing <= GroupDiscovery::kGraceListings; ++listing) {
    clock.advance(10s);
    auto outcome = collect(probe);
    EXPECT_TRUE(outcome.ok()) << listing << ": " << outcome.error_message;
    EXPECT_EQ(discovery_up(outcome), 0) << listing;
    EXPECT_NE(outcome.status["discovery"].value("error", "").find("stay watched"),
              std::string::npos)
        << outcome.status.dump();
    EXPECT_EQ(lag(outcome, "connect-sink"), 1) << "still watched after failed listing " << listing;
    EXPECT_EQ(lag(outcome, "orders-app"), 2) << "a configured group is not touched";
    EXPECT_FALSE(discovered(outcome, "orders-app"));
  }
  clock.advance(10s);
  auto outcome = collect(probe);
  EXPECT_FALSE(discovered(outcome, "connect-sink")) << "not listed for longer than the grace";
  EXPECT_FALSE(lag(outcome, "connect-sink"));
  shim.set_group_answer_delay(0ms);
  // Answers to the requests that timed out may still come first on their connection.
  for (int i = 0; i < 30 && !lag(outcome, "connect-sink"); ++i) {
    clock.advance(10s);
    outcome = collect(probe);
  }
  EXPECT_TRUE(outcome.ok()) << outcome.error_message;
  EXPECT_EQ(lag(outcome, "connect-sink"), 1) << "listed again";
}

// Only the listing cycles failed before, so cdcwatch_probe_up flipped between 0 and 1 and
// CdcProbeFailing never fired: a failing listing is its own gauge, and the lag keeps flowing.
TEST_F(DiscoveryTest, AFailingListingIsReportedByItsGaugeWhileTheCycleAndTheLagCarryOn) {
  commit("connect-sink", 4);
  commit("orders-app", 3);
  KafkaLagProbe probe(config(), Millis(15000));
  auto outcome = collect(probe);
  ASSERT_TRUE(outcome.ok()) << outcome.error_message;
  EXPECT_EQ(discovery_up(outcome), 1);
  double listed_at = to_unix_seconds(clock.now());
  EXPECT_EQ(last_success(outcome), listed_at);

  shim.set_group_answer_delay(3s);  // longer than request_timeout
  clock.advance(5s);
  EXPECT_EQ(discovery_up(collect(probe)), 1) << "no listing due: the last one worked";
  for (int cycle = 1; cycle <= 4; ++cycle) {  // listings, and the cycles between them
    clock.advance(5s);
    outcome = collect(probe);
    EXPECT_TRUE(outcome.ok()) << cycle << ": " << outcome.error_message;
    EXPECT_EQ(discovery_up(outcome), 0) << cycle << ": from the last listing, until the next";
    EXPECT_EQ(last_success(outcome), listed_at) << cycle;
    EXPECT_EQ(lag(outcome, "orders-app"), 2) << cycle;
    EXPECT_EQ(lag(outcome, "connect-sink"), 1) << cycle;
  }
  EXPECT_NE(outcome.status["discovery"].value("error", "").find("ListGroups"), std::string::npos)
      << outcome.status.dump();

  shim.set_group_answer_delay(0ms);
  for (int i = 0; i < 30 && discovery_up(outcome) != 1; ++i) {
    clock.advance(10s);
    outcome = collect(probe);
  }
  EXPECT_EQ(discovery_up(outcome), 1);
  EXPECT_GT(last_success(outcome), listed_at);
  EXPECT_FALSE(outcome.status["discovery"].contains("error")) << outcome.status.dump();
}

// On the shipped rules: listings failing for 3 minutes page CdcGroupDiscoveryFailing, which
// resolves once a listing works; the lag probe's own alerts have their series throughout.
TEST_F(DiscoveryTest, ListingsFailingForThreeMinutesFireCdcGroupDiscoveryFailingUntilOneWorks) {
  commit("orders-app", 3);
  KafkaClusterConfig minutely = config();
  minutely.discovery_interval = 1min;
  KafkaLagProbe probe(minutely, Millis(15000));
  AlertEvaluator evaluator(default_rules(), EvaluatorOptions{});
  std::vector<AlertEvent> events;
  auto cycle = [&] {
    auto outcome = collect(probe);
    EXPECT_EQ(lag(outcome, "orders-app"), 2);
    store.publish(probe.name(), std::move(outcome.readings));
    for (auto& event : evaluator.evaluate(store, clock.now(), true)) {
      if (event.alert == "CdcGroupDiscoveryFailing") events.push_back(event);
    }
  };
  cycle();
  shim.set_group_answer_delay(3s);  // longer than request_timeout
  for (int minute = 1; minute <= 3; ++minute) {
    clock.advance(1min);
    cycle();
    EXPECT_TRUE(events.empty()) << "failing for " << minute - 1 << " minutes only";
  }
  clock.advance(1min);
  cycle();
  ASSERT_EQ(events.size(), 1u) << "failing for 3 minutes";
  EXPECT_EQ(events[0].action, AlertEvent::Action::kTrigger);
  EXPECT_NE(events[0].summary.find("Kafka cluster msk"), std::string::npos) << events[0].summary;

  shim.set_group_answer_delay(0ms);
  for (int i = 0; i < 10 && events.back().action != AlertEvent::Action::kResolve; ++i) {
    clock.advance(1min);
    cycle();
  }
  EXPECT_EQ(events.back().action, AlertEvent::Action::kResolve);
}

TEST_F(DiscoveryTest, WithoutDiscoverGroupsThereIsNoDiscoveryGauge) {
  KafkaClusterConfig plain = config();
  plain.discover_groups.clear();
  KafkaLagProbe probe(plain, Millis(15000));
  auto outcome = collect(probe);
  ASSERT_TRUE(outcome.ok()) << outcome.error_message;
  EXPECT_FALSE(discovery_up(outcome));
  EXPECT_FALSE(last_success(outcome));
  EXPECT_FALSE(outcome.status.contains("discovery"));
}

TEST_F(DiscoveryTest, ConfiguredGroupsKeepTheirLagWhileTheShimIsDownAndAfter) {
  commit("orders-app", 3);
  commit("connect-sink", 4);
  KafkaLagProbe probe(config(), Millis(15000));
  auto outcome = collect(probe);
  ASSERT_EQ(lag(outcome, "orders-app"), 2);
  shim.set_down(true);
  clock.advance(10s);
  outcome = probe.collect({clock.now() + 2s, clock, store});
  EXPECT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.readings.value("cdcwatch_kafka_up", {{"kafka", "msk"}}), 0);
  shim.set_down(false);
  bool back = false;
  for (int i = 0; i < 20 && !back; ++i) {
    clock.advance(10s);
    outcome = collect(probe);
    back = lag(outcome, "orders-app") == 2.0 && lag(outcome, "connect-sink") == 1.0;
  }
  EXPECT_TRUE(back) << outcome.status.dump();
}

TEST_F(DiscoveryTest, ARestoredProbeWatchesTheDiscoveredGroupsBeforeTheNextListingWorks) {
  commit("connect-sink", 4);
  KafkaLagProbe probe(config(), Millis(15000));
  double listed_at = to_unix_seconds(clock.now());
  ASSERT_EQ(lag(collect(probe), "connect-sink"), 1);
  nlohmann::json saved = nlohmann::json::parse(probe.save_state().dump());

  shim.set_group_answer_delay(3s);
  clock.advance(15s);
  KafkaLagProbe restarted(config(), Millis(15000));
  restarted.restore_state(saved);
  auto outcome = collect(restarted);
  EXPECT_EQ(discovery_up(outcome), 0);
  EXPECT_EQ(last_success(outcome), listed_at)
      << "the listing before the restart is still the last that worked (on the old code the "
         "time was absent after a restart, and with it the age of the last listing)";
  EXPECT_EQ(lag(outcome, "connect-sink"), 1) << saved.dump();
  EXPECT_EQ(discovered(outcome, "connect-sink"), 1);

  KafkaClusterConfig other = config();
  other.discover_groups = {"sink-*"};
  KafkaLagProbe changed(other, Millis(15000));
  changed.restore_state(saved);
  EXPECT_FALSE(lag(collect(changed), "connect-sink")) << "no longer matches the patterns";
}

TEST_F(DiscoveryTest, TheAgentWatchesAGroupDiscoveredFromItsConfigFile) {
  commit("connect-sink", 4);
  testing::TempDir state;
  Config config = parse_config(
      ConfigNode::load_string("agent:\n  state_dir: " + state.path() +
                                  "\n  listen: 127.0.0.1:0\n  interval: 1s\n"
                                  "kafka:\n  - name: msk\n    bootstrap_servers: \"" +
                                  shim.bootstrap() + "\"\n    discover_groups: [\"connect-*\"]\n",
                              "test.yml"));
  SystemClock system_clock;
  Agent agent(config, system_clock);
  agent.start();
  std::string text = testing::metrics_containing(
      agent, "cdcwatch_kafka_consumer_group_lag_messages{kafka=\"msk\",group=\"connect-sink\"}");
  agent.stop();
  EXPECT_NE(
      text.find("cdcwatch_kafka_consumer_group_discovered{kafka=\"msk\",group=\"connect-sink\"} 1"),
      std::string::npos)
      << text.substr(0, 6000);
  EXPECT_NE(
      text.find(
          "cdcwatch_kafka_consumer_group_lag_messages{kafka=\"msk\",group=\"connect-sink\"} 1"),
      std::string::npos);
}

TEST(GroupDiscoveryAssignment, MalformedAssignmentBytesAreRefusedNotRead) {
  const unsigned char truncated[] = {0, 0, 0, 0, 0, 1, 0, 9, 'o'};
  EXPECT_FALSE(parse_consumer_assignment(truncated, sizeof truncated));
  EXPECT_FALSE(parse_consumer_assignment(nullptr, 0));
  const unsigned char one_topic[] = {0, 0, 0, 0, 0, 1, 0,    1,    't',  0,   0,
                                     0, 1, 0, 0, 0, 7, 0xff, 0xff, 0xff, 0xff};
  EXPECT_EQ(parse_consumer_assignment(one_topic, sizeof one_topic), std::set<std::string>{"t"});
}

TEST(GroupDiscoveryConfig, KeysParseAndMistakesNameTheLineAndTheFix) {
  Config config = testing::parse(
      "kafka:\n  - name: msk\n    bootstrap_servers: b:9092\n"
      "    discover_groups: [\"connect-*\"]\n    discovery_interval: 2m\n");
  EXPECT_EQ(config.kafka.at(0).discover_groups, std::vector<std::string>{"connect-*"});
  EXPECT_EQ(config.kafka.at(0).discovery_interval, Millis(120000));
  Config defaults = testing::parse(
      "kafka:\n  - name: msk\n    bootstrap_servers: b:9092\n    discover_groups: [\"c*\"]\n");
  EXPECT_EQ(defaults.kafka.at(0).discovery_interval, Millis(60000));

  std::string too_often = testing::error_of(
      "kafka:\n  - name: msk\n    bootstrap_servers: b:9092\n"
      "    discover_groups: [\"connect-*\"]\n    discovery_interval: 1s\n");
  EXPECT_NE(too_often.find("cdcwatch.yml:5"), std::string::npos) << too_often;
  EXPECT_NE(too_often.find("at least 10s"), std::string::npos) << too_often;
  std::string empty = testing::error_of(
      "kafka:\n  - name: msk\n    bootstrap_servers: b:9092\n    discover_groups: [\"\"]\n");
  EXPECT_NE(empty.find("cdcwatch.yml:4"), std::string::npos) << empty;
  EXPECT_NE(empty.find("connect-*"), std::string::npos) << empty;
  std::string alone = testing::error_of(
      "kafka:\n  - name: msk\n    bootstrap_servers: b:9092\n    discovery_interval: 5m\n");
  EXPECT_NE(alone.find("cdcwatch.yml:4"), std::string::npos) << alone;
  EXPECT_NE(alone.find("add discover_groups"), std::string::npos) << alone;
}

}  // namespace
}  // namespace cdcwatch
