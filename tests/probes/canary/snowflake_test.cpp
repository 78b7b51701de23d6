// Key-pair JWTs and the Snowflake SQL API reader against a local server that speaks the API's
// documented wire format and verifies every JWT with the test's public key.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "agent/alerting/alert_evaluator.h"
#include "agent/alerting/rule_set.h"
#include "agent/core/readings_store.h"
#include "probes/canary/snowflake_reader.h"
#include "probes/canary/warehouse_observer_probe.h"
#include "probes/warehouseconn/snowflake_client.h"
#include "probes/warehouseconn/snowflake_jwt.h"
#include "tests/support/snowflake_server.h"

namespace cdcwatch {
namespace {

using namespace std::chrono_literals;
const std::string kTable = "ANALYTICS.ORDERS_CDC.CDCWATCH_CANARY";

struct SnowflakeTest : ::testing::Test {
  SnowflakeTest() {
    key_path = ::testing::TempDir() + "/snowflake_key_" + std::to_string(::getpid()) + ".p8";
    std::ofstream(key_path) << keys().private_pem;
    std::filesystem::permissions(
        key_path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    server.start();
  }
  ~SnowflakeTest() override { std::remove(key_path.c_str()); }
  static const testing::RsaKeyPair& keys() {
    static testing::RsaKeyPair pair = testing::generate_rsa_key_pair();
    return pair;
  }
  SnowflakeConfig config() {
    SnowflakeConfig c;
    c.account = "myorg-myaccount";
    c.user = "cdcwatch";
    c.private_key_file = key_path;
    c.role = "CDCWATCH_ROLE";
    c.warehouse = "MONITOR_WH";
    c.table = kTable;
    c.url = server.url();
    c.timeout = Millis(5000);
    return c;
  }
  WarehouseRead read(SnowflakeReader& reader, std::chrono::milliseconds budget = 5000ms) {
    return reader.newest("agent-1", clock.now() + budget, clock);
  }

  // The canary's warehouse stage on this server, polled every 30 s.
  std::unique_ptr<WarehouseObserverProbe> warehouse_probe(
      std::shared_ptr<CanaryTimeline> timeline = std::make_shared<CanaryTimeline>()) {
    CanaryConfig canary;
    canary.name = "orders";
    canary.agent_id = "agent-1";
    canary.warehouse = WarehouseConfig{"", config(), std::nullopt, Millis(30000)};
    return std::make_unique<WarehouseObserverProbe>(
        canary, std::make_unique<SnowflakeReader>(config()), std::move(timeline));
  }
  // One read that must fail with `reason` and a message naming `expected`.
  void expect_read_fails(const std::string& reason, const std::string& expected) {
    SnowflakeReader reader(config());
    auto result = read(reader);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error_reason, reason);
    EXPECT_NE(result.error_message.find(expected), std::string::npos) << result.error_message;
  }

  std::string key_path;
  testing::SnowflakeServer server{keys().public_pem, "MYORG-MYACCOUNT", "CDCWATCH", kTable};
  SystemClock clock;
};

TEST(SnowflakeJwt, AccountIdentifierIsUppercasedWithoutRegion) {
  EXPECT_EQ(snowflake_jwt_account("myorg-myaccount"), "MYORG-MYACCOUNT");
  EXPECT_EQ(snowflake_jwt_account("xy12345.us-east-1"), "XY12345");
  EXPECT_EQ(snowflake_jwt_account("xy12345.us-east-2.aws"), "XY12345");
  EXPECT_EQ(snowflake_jwt_account("myorg-myaccount.global"), "MYORG");
}

TEST_F(SnowflakeTest, AKeyFileOthersCanReadIsRefused) {
  std::filesystem::permissions(key_path, std::filesystem::perms::others_read,
                               std::filesystem::perm_options::add);
  SnowflakeReader reader(config());
  auto result = read(reader);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error_reason, "config");
  EXPECT_NE(result.error_message.find("chmod"), std::string::npos) << result.error_message;
  EXPECT_EQ(server.statements_posted(), 0);
}

TEST(SnowflakeJwt, AnEncryptedOrMissingKeyIsAClearErrorWithoutKeyMaterial) {
  try {
    SnowflakeKey::from_pem(
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkq\n",
        "/secrets/k.p8");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("-nocrypt"), std::string::npos);
    EXPECT_EQ(std::string(e.what()).find("MIIFHDBO"), std::string::npos);
  }
  EXPECT_THROW(SnowflakeKey::load("/nonexistent/key.p8"), std::runtime_error);
}

TEST_F(SnowflakeTest, AnsweredAt200WithTheNewestRow) {
  server.set_row("agent-1", 42, 1795643243123);
  SnowflakeReader reader(config());
  auto result = read(reader);
  ASSERT_TRUE(result.ok()) << result.error_message;
  EXPECT_EQ(result.row->seq, 42);
  EXPECT_DOUBLE_EQ(result.row->written_at, 1795643243.123);
  EXPECT_TRUE(server.auth_problems().empty());
  EXPECT_FALSE(server.retry_flags().at(0));
}

TEST_F(SnowflakeTest, NoRowYetIsNotAnError) {
  SnowflakeReader reader(config());
  auto result = read(reader);
  EXPECT_TRUE(result.ok()) << result.error_message;
  EXPECT_FALSE(result.row);
}

TEST_F(SnowflakeTest, A202IsFollowedByPollingTheStatementHandle) {
  server.set_row("agent-1", 7, 1795643243000);
  server.script({.status = 202, .polls = 2});
  SnowflakeReader reader(config());
  auto result = read(reader);
  ASSERT_TRUE(result.ok()) << result.error_message;
  EXPECT_EQ(result.row->seq, 7);
  EXPECT_EQ(server.statements_posted(), 1);
  EXPECT_EQ(server.status_polls(), 3) << "two more 202s, then the 200";
}

TEST_F(SnowflakeTest, A429IsRetriedUnderTheSameRequestIdWithRetryTrue) {
  server.set_row("agent-1", 8, 1795643243000);
  server.script({.status = 429});
  server.script({.status = 503});
  SnowflakeReader reader(config());
  auto result = read(reader);
  ASSERT_TRUE(result.ok()) << result.error_message;
  EXPECT_EQ(result.row->seq, 8);
  auto ids = server.request_ids();
  ASSERT_EQ(ids.size(), 3u);
  EXPECT_EQ(ids[0], ids[1]);
  EXPECT_EQ(ids[1], ids[2]);
  EXPECT_EQ(server.retry_flags(), (std::vector<bool>{false, true, true}));
}

// Issue #15 item 8: server and gateway errors are retried under the same requestId with
// retry=true, with backoff, within the deadline. On the old code 500 and 502 were final.
TEST_F(SnowflakeTest, ServerAndGatewayErrorsAreRetriedWithinTheDeadline) {
  server.set_row("agent-1", 8, 1795643243000);
  for (int status : {500, 502, 503, 504}) server.script({.status = status});
  SnowflakeReader reader(config());
  auto result = read(reader, 8000ms);
  ASSERT_TRUE(result.ok()) << result.error_message;
  EXPECT_EQ(result.row->seq, 8);
  auto ids = server.request_ids();
  ASSERT_EQ(ids.size(), 5u);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), ids[0]), 5) << "one requestId throughout";
  EXPECT_EQ(server.retry_flags(), (std::vector<bool>{false, true, true, true, true}));
}

// handling-errors: a 408 means Snowflake cancelled the statement at its timeout; it is a
// `timeout`, and not resubmitted (the old code retried it and reported `http`).
TEST_F(SnowflakeTest, A408IsATimeoutAndIsNotResubmitted) {
  server.script({.status = 408});
  expect_read_fails("timeout", "000630");
  EXPECT_EQ(server.statements_posted(), 1);
}

TEST_F(SnowflakeTest, AnAbsoluteStatusUrlOnTheConfiguredHostIsPolled) {
  server.set_row("agent-1", 7, 1795643243000);
  server.script({.status = 202, .polls = 1, .status_url_origin = server.url()});
  SnowflakeReader reader(config());
  auto result = read(reader);
  ASSERT_TRUE(result.ok()) << result.error_message;
  EXPECT_EQ(result.row->seq, 7);
  EXPECT_EQ(server.status_polls(), 2);
}

TEST_F(SnowflakeTest, AStatusUrlOnAnotherHostIsRefusedAndGetsNoToken) {
  server.script({.status = 202, .status_url_origin = "http://collector.example:8080"});
  expect_read_fails("response", "configured host only");
  EXPECT_EQ(server.status_polls(), 0);
}

TEST(SnowflakeStatusUrl, APathOrTheSameOriginOnly) {
  const std::string base = "https://myorg-myaccount.snowflakecomputing.com";
  EXPECT_EQ(statement_status_url(base, "/api/v2/statements/01bc"),
            base + "/api/v2/statements/01bc");
  EXPECT_EQ(
      statement_status_url(base,
                           "https://MYORG-myaccount.snowflakecomputing.com:443/api/v2/"
                           "statements/01bc?requestId=1"),
      "https://MYORG-myaccount.snowflakecomputing.com:443/api/v2/statements/01bc?requestId=1");
  for (const char* refused :
       {"", "api/v2/statements/01bc", "http://myorg-myaccount.snowflakecomputing.com/api/v2/s",
        "https://myorg-myaccount.snowflakecomputing.com:8443/api/v2/s",
        "https://myorg-myaccount.snowflakecomputing.com@evil.example/api/v2/s",
        "https://evil.example/api/v2/statements/01bc", "ftp://myorg-myaccount/x"}) {
    EXPECT_FALSE(statement_status_url(base, refused)) << refused;
  }
}

TEST_F(SnowflakeTest, A422IsReportedWithSnowflakesCodeAndMessage) {
  SnowflakeConfig c = config();
  c.table = "ANALYTICS.ORDERS_CDC.NO_SUCH_TABLE";
  SnowflakeReader reader(c);
  auto result = read(reader);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error_reason, "query");
  EXPECT_NE(result.error_message.find("422 (code 002003)"), std::string::npos)
      << result.error_message;
  EXPECT_NE(result.error_message.find("does not exist or not authorized"), std::string::npos);
  EXPECT_EQ(server.statements_posted(), 1) << "a 422 is not retried";
}

TEST_F(SnowflakeTest, A401IsAnsweredOnceWithAFreshToken) {
  server.set_row("agent-1", 9, 1795643243000);
  SnowflakeReader reader(config());
  ASSERT_TRUE(read(reader).ok());
  // The server now refuses every token issued before this second: the cached one is "expired".
  server.reject_tokens_issued_before(static_cast<int64_t>(to_unix_seconds(clock.now())) + 1);
  std::this_thread::sleep_for(1100ms);
  auto result = read(reader);
  ASSERT_TRUE(result.ok()) << result.error_message;
  EXPECT_EQ(server.answered(401), 1);
}

TEST_F(SnowflakeTest, AWrongKeyIsAnAuthErrorThatSaysWhatToCheck) {
  std::ofstream(key_path) << testing::generate_rsa_key_pair().private_pem;
  std::filesystem::permissions(
      key_path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  SnowflakeReader reader(config());
  auto result = read(reader);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error_reason, "auth");
  EXPECT_NE(result.error_message.find("RSA_PUBLIC_KEY"), std::string::npos);
  EXPECT_EQ(server.answered(401), 2) << "one fresh token, then give up";
}

TEST_F(SnowflakeTest, ASlowAnswerEndsAtTheDeadlineNotLater) {
  server.script({.status = 200, .delay = 3000ms});
  SnowflakeReader reader(config());
  auto started = std::chrono::steady_clock::now();
  auto result = read(reader, 1000ms);
  auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error_reason, "http");
  EXPECT_LT(took, 2500ms) << "bounded by the deadline, not by the peer";
}

TEST_F(SnowflakeTest, TheWarehouseStageTimesArrivalsAndTheKafkaHop) {
  // The JWT's iat comes from the probe's clock and the server checks it against real time, so
  // the fake clock starts at the real time (whole seconds).
  int64_t base = static_cast<int64_t>(to_unix_seconds(clock.now()));
  FakeClock fake{TimePoint(std::chrono::seconds(base))};
  server.set_row("agent-1", 1, base * 1000);
  auto timeline = std::make_shared<CanaryTimeline>();
  auto probe = warehouse_probe(timeline);
  ReadingsStore store;
  Labels stage = {{"canary", "orders"}, {"stage", "warehouse"}};
  auto collect = [&] { return probe->collect({fake.now() + 5s, fake, store}); };
  fake.advance(20s);
  auto first = collect();
  ASSERT_TRUE(first.ok()) << first.error_message;
  EXPECT_DOUBLE_EQ(*first.readings.value("cdcwatch_canary_freshness_seconds", stage), 20);
  EXPECT_EQ(first.readings.family("cdcwatch_canary_latency_seconds")->series[0].histogram->count,
            0u)
      << "the row found at start-up arrived at an unknown time";
  EXPECT_EQ(first.readings.value("cdcwatch_canary_poll_interval_seconds", stage), 30);

  timeline->reached_kafka(2, static_cast<double>(base) + 20.5);
  server.set_row("agent-1", 2, (base + 20) * 1000);
  fake.advance(30s);  // now base + 50
  auto second = collect();
  EXPECT_DOUBLE_EQ(*second.readings.value("cdcwatch_canary_freshness_seconds", stage), 30);
  auto latency = second.readings.family("cdcwatch_canary_latency_seconds")->series[0].histogram;
  EXPECT_EQ(latency->count, 1u);
  EXPECT_DOUBLE_EQ(latency->sum, 30);
  EXPECT_DOUBLE_EQ(*second.readings.value("cdcwatch_canary_hop_latency_seconds",
                                          {{"canary", "orders"}, {"hop", "kafka_to_warehouse"}}),
                   29.5);

  server.script({.status = 422});
  fake.advance(30s);
  auto failed = collect();
  EXPECT_FALSE(failed.ok());
  EXPECT_DOUBLE_EQ(*failed.readings.value("cdcwatch_canary_freshness_seconds", stage), 60)
      << "blind, the clock keeps running from the last confirmed canary (written at base + 20)";
  EXPECT_EQ(failed.readings.value("cdcwatch_canary_observer_up", stage), 0);
  EXPECT_NE(failed.status.value("observer_error", "").find("422"), std::string::npos)
      << failed.status.dump();
  EXPECT_EQ(failed.status.value("last_seen_seq", 0), 2);
}

// Issue #15 item 3, on the shipped rules: a firing CdcCanaryStaleAtWarehouse must not resolve
// while the warehouse cannot be read (erroring, then unreachable), however long that lasts;
// CdcCanaryObserverDown says why nothing newer is seen. Fails on the old code, which withdrew
// the freshness series so the alert resolved after missing_data_hold.
TEST_F(SnowflakeTest, AFiringStaleAlertDoesNotResolveWhileTheWarehouseIsUnreadable) {
  int64_t base = static_cast<int64_t>(to_unix_seconds(clock.now()));
  FakeClock fake{TimePoint(std::chrono::seconds(base))};
  server.set_row("agent-1", 1, base * 1000);
  auto probe = warehouse_probe();
  ReadingsStore store;
  AlertEvaluator evaluator(default_rules(), EvaluatorOptions{});
  std::vector<AlertEvent> events;
  auto cycle = [&] {
    auto outcome = probe->collect({fake.now() + 500ms, fake, store});
    store.publish(probe->name(), std::move(outcome.readings));
    for (auto& event : evaluator.evaluate(store, fake.now(), true)) events.push_back(event);
  };
  auto fired = [&](const std::string& alert, AlertEvent::Action action) {
    return std::count_if(events.begin(), events.end(), [&](const AlertEvent& e) {
      return e.alert == alert && e.action == action;
    });
  };
  cycle();
  fake.advance(90s);
  cycle();
  ASSERT_EQ(fired("CdcCanaryStaleAtWarehouse", AlertEvent::Action::kTrigger), 1);

  for (int i = 0; i < 4; ++i) server.script({.status = 422});  // erroring
  for (int i = 0; i < 4; ++i) {
    fake.advance(60s);
    cycle();
  }
  server.stop();  // unreachable
  for (int i = 0; i < 12; ++i) {
    fake.advance(60s);
    cycle();
  }
  for (const char* alert : {"CdcCanaryStaleAtWarehouse", "CdcCanaryStaleAtWarehouseCritical",
                            "CdcCanaryObserverDown"}) {
    EXPECT_EQ(fired(alert, AlertEvent::Action::kResolve), 0)
        << alert << ": 16 blind minutes, past missing_data_hold, and still firing";
  }
  // Firing alerts are re-triggered at an interval, so "at least once".
  EXPECT_GE(fired("CdcCanaryStaleAtWarehouseCritical", AlertEvent::Action::kTrigger), 1);
  EXPECT_GE(fired("CdcCanaryObserverDown", AlertEvent::Action::kTrigger), 1);
  auto down = std::find_if(events.begin(), events.end(),
                           [](const AlertEvent& e) { return e.alert == "CdcCanaryObserverDown"; });
  ASSERT_NE(down, events.end());
  EXPECT_NE(down->summary.find("cannot read the warehouse stage of canary orders"),
            std::string::npos)
      << down->summary;
}

// Issue #15 item 5: the agent restarts while the warehouse is down. The new probe carries the
// confirmed canary over, so its freshness keeps growing and the stale page is not delayed. On the
// old code the restarted probe had no freshness to report (and, without state, would count from
// its own start).
TEST_F(SnowflakeTest, ARestartWhileTheWarehouseIsDownKeepsItsFreshness) {
  int64_t base = static_cast<int64_t>(to_unix_seconds(clock.now()));
  FakeClock fake{TimePoint(std::chrono::seconds(base))};
  server.set_row("agent-1", 1, base * 1000);
  ReadingsStore store;
  Labels stage = {{"canary", "orders"}, {"stage", "warehouse"}};
  auto before = warehouse_probe();
  fake.advance(20s);
  ASSERT_TRUE(before->collect({fake.now() + 5s, fake, store}).ok());
  nlohmann::json saved = before->save_state();

  server.stop();
  auto after = warehouse_probe();
  after->restore_state(saved);
  fake.advance(100s);
  auto outcome = after->collect({fake.now() + 500ms, fake, store});
  EXPECT_FALSE(outcome.ok());
  EXPECT_DOUBLE_EQ(*outcome.readings.value("cdcwatch_canary_freshness_seconds", stage), 120);
  EXPECT_EQ(outcome.readings.value("cdcwatch_canary_last_seen_seq", stage), 1);
  EXPECT_EQ(outcome.readings.value("cdcwatch_canary_observer_up", stage), 0);
}
}  // namespace
}  // namespace cdcwatch
