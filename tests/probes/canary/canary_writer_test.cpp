// The canary writer and the Postgres-protocol warehouse reader against a real PostgreSQL 15.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "agent/core/readings_store.h"
#include "probes/canary/canary_order.h"
#include "probes/canary/canary_writer_probe.h"
#include "probes/canary/pg_warehouse_reader.h"
#include "probes/canary/warehouse_observer_probe.h"
#include "tests/support/postgres_server.h"

namespace cdcwatch {
namespace {

std::string sql_script(const std::string& name) {
  std::ifstream file(std::string(CDCWATCH_SOURCE_DIR) + "/scripts/sql/" + name);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

struct CanaryWriterTest : ::testing::Test {
  static void SetUpTestSuite() { pg = new testing::PostgresServer(); }
  static void TearDownTestSuite() { delete pg; }
  void SetUp() override {
    pg->exec(
        "DROP TABLE IF EXISTS public.cdcwatch_canary; DROP ROLE IF EXISTS cdcwatch;"
        "CREATE ROLE cdcwatch LOGIN; GRANT pg_monitor TO cdcwatch;");
  }
  // The role and grants exactly as the shipped scripts make them (the role defaults to
  // read-only transactions; the writer turns that off for its own session).
  void create_table_for_least_privilege_role() {
    pg->exec("DROP ROLE cdcwatch;" + sql_script("cdcwatch_role.sql") +
             sql_script("canary_table.sql"));
  }
  CanaryConfig canary() {
    CanaryConfig c;
    c.name = "orders";
    c.postgres = "orders";
    c.agent_id = "agent-1";
    return c;
  }
  PgSourceConfig source(const std::string& user = "cdcwatch") {
    PgSourceConfig s;
    s.name = "orders";
    s.dsn = SecretString{pg->dsn("postgres", user), pg->dsn("postgres", user)};
    return s;
  }
  CollectOutcome collect(Probe& probe) {
    return probe.collect({clock.now() + std::chrono::seconds(5), clock, store});
  }

  static testing::PostgresServer* pg;
  SystemClock clock;
  ReadingsStore store;
};
testing::PostgresServer* CanaryWriterTest::pg = nullptr;

TEST_F(CanaryWriterTest, UpsertsOneRowWhoseSeqGrowsAsALeastPrivilegeRole) {
  create_table_for_least_privilege_role();
  auto timeline = std::make_shared<CanaryTimeline>();
  CanaryWriterProbe probe(canary(), source(), timeline);
  for (int i = 1; i <= 3; ++i) {
    auto outcome = collect(probe);
    ASSERT_TRUE(outcome.ok()) << outcome.error_message;
    EXPECT_EQ(outcome.readings.value("cdcwatch_canary_last_written_seq", {{"canary", "orders"}}),
              i);
    EXPECT_EQ(outcome.readings.value("cdcwatch_canary_writes_total",
                                     {{"canary", "orders"}, {"result", "ok"}}),
              i);
  }
  EXPECT_EQ(pg->query_value("SELECT count(*) FROM public.cdcwatch_canary"), "1")
      << "the table never grows";
  EXPECT_EQ(pg->query_value("SELECT seq FROM public.cdcwatch_canary WHERE agent_id = 'agent-1'"),
            "3");
  auto written = std::stod(
      pg->query_value("SELECT extract(epoch FROM written_at) FROM public.cdcwatch_canary"));
  EXPECT_NEAR(written, to_unix_seconds(clock.now()), 5)
      << "written_at comes from the database clock";
  EXPECT_TRUE(timeline->clock_skew_known());
  EXPECT_LT(std::abs(timeline->clock_skew()), 1.0) << "same machine: no real skew";
  auto skew =
      collect(probe).readings.value("cdcwatch_clock_skew_seconds", {{"peer", "postgres/orders"}});
  ASSERT_TRUE(skew);
  EXPECT_LT(std::abs(*skew), 1.0);
}

TEST_F(CanaryWriterTest, AMissingTableIsAnErrorWithTheStatementsToRun) {
  CanaryWriterProbe probe(canary(), source(), std::make_shared<CanaryTimeline>());
  auto outcome = collect(probe);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error_reason, "missing_table");
  EXPECT_NE(outcome.error_message.find(
                "CREATE TABLE IF NOT EXISTS public.cdcwatch_canary (agent_id text PRIMARY KEY"),
            std::string::npos)
      << outcome.error_message;
  EXPECT_NE(outcome.error_message.find(
                "GRANT SELECT, INSERT, UPDATE ON public.cdcwatch_canary TO cdcwatch"),
            std::string::npos);
  EXPECT_NE(outcome.error_message.find("create_table: true"), std::string::npos);
  EXPECT_EQ(outcome.readings.value("cdcwatch_canary_writes_total",
                                   {{"canary", "orders"}, {"result", "error"}}),
            1);
  EXPECT_EQ(pg->query_value("SELECT count(*) FROM pg_tables WHERE tablename = 'cdcwatch_canary'"),
            "0")
      << "created only when create_table is set";
}

TEST_F(CanaryWriterTest, CreateTableCreatesItWhenAllowed) {
  CanaryConfig c = canary();
  c.create_table = true;
  CanaryWriterProbe probe(c, source("postgres"), std::make_shared<CanaryTimeline>());
  auto outcome = collect(probe);
  ASSERT_TRUE(outcome.ok()) << outcome.error_message;
  EXPECT_EQ(pg->query_value("SELECT seq FROM public.cdcwatch_canary"), "1");
}

TEST_F(CanaryWriterTest, WithoutGrantsThePermissionErrorSaysWhichGrant) {
  pg->exec(
      "CREATE TABLE public.cdcwatch_canary (agent_id text PRIMARY KEY, seq bigint NOT NULL, "
      "written_at timestamptz NOT NULL)");
  CanaryWriterProbe probe(canary(), source(), std::make_shared<CanaryTimeline>());
  auto outcome = collect(probe);
  EXPECT_EQ(outcome.error_reason, "permission");
  EXPECT_NE(outcome.error_message.find("GRANT SELECT, INSERT, UPDATE"), std::string::npos);
}

TEST_F(CanaryWriterTest, ObserveModeReadsTheHeartbeatRowAndNeverWrites) {
  create_table_for_least_privilege_role();
  pg->exec(
      "INSERT INTO public.cdcwatch_canary VALUES ('debezium-heartbeat', 77, now() - interval '30 "
      "seconds')");
  CanaryConfig c = canary();
  c.mode = "observe";
  c.agent_id = "debezium-heartbeat";
  CanaryWriterProbe probe(c, source(), std::make_shared<CanaryTimeline>());
  auto outcome = collect(probe);
  ASSERT_TRUE(outcome.ok()) << outcome.error_message;
  EXPECT_EQ(outcome.readings.value("cdcwatch_canary_last_written_seq", {{"canary", "orders"}}), 77);
  EXPECT_EQ(pg->query_value("SELECT seq FROM public.cdcwatch_canary"), "77");
  c.agent_id = "someone-else";
  CanaryWriterProbe missing(c, source(), std::make_shared<CanaryTimeline>());
  auto none = collect(missing);
  EXPECT_EQ(none.error_reason, "no_row");
  EXPECT_NE(none.error_message.find("set agent_id"), std::string::npos);
}

TEST_F(CanaryWriterTest, TheWarehouseReaderFindsTheNewestRowWhetherWrittenAtIsATimestampOrText) {
  pg->exec(
      "DROP TABLE IF EXISTS wh_ts; DROP TABLE IF EXISTS wh_text;"
      "CREATE TABLE wh_ts (agent_id text, seq bigint, written_at timestamptz);"
      "INSERT INTO wh_ts VALUES ('agent-1', 4, '2026-11-25T21:47:20Z'), ('agent-1', 5, "
      "'2026-11-25T21:47:23.5Z'),"
      " ('agent-2', 9, '2026-11-25T21:48:00Z');"
      "CREATE TABLE wh_text (agent_id text, seq bigint, written_at text);"
      "INSERT INTO wh_text VALUES ('agent-1', 6, '2026-11-25T21:47:23.123456Z');");
  PgWarehouseReader timestamps(PgWarehouseConfig{SecretString{pg->dsn(), pg->dsn()}, "wh_ts"});
  auto read = timestamps.newest("agent-1", clock.now() + std::chrono::seconds(5), clock);
  ASSERT_TRUE(read.ok()) << read.error_message;
  EXPECT_EQ(read.row->seq, 5);
  EXPECT_DOUBLE_EQ(read.row->written_at, 1795643243.5);
  PgWarehouseReader text(PgWarehouseConfig{SecretString{pg->dsn(), pg->dsn()}, "wh_text"});
  read = text.newest("agent-1", clock.now() + std::chrono::seconds(5), clock);
  ASSERT_TRUE(read.ok()) << read.error_message;
  EXPECT_NEAR(read.row->written_at, 1795643243.123456, 1e-6);
  EXPECT_FALSE(text.newest("nobody", clock.now() + std::chrono::seconds(5), clock).row);
  PgWarehouseReader missing(PgWarehouseConfig{SecretString{pg->dsn(), pg->dsn()}, "no_such_table"});
  auto error = missing.newest("agent-1", clock.now() + std::chrono::seconds(5), clock);
  EXPECT_FALSE(error.ok());
  EXPECT_NE(error.error_message.find("no_such_table does not exist"), std::string::npos);
}

// Issue #15 item 6: the canary table is dropped and recreated; the writer restarts at sequence 1,
// lower than the last seen, written later. The warehouse stage follows it: freshness drops back,
// no stale page. On the old code the stage kept sequence 3 and its 10-minute-old written_at.
TEST_F(CanaryWriterTest, TheWarehouseStageFollowsACanaryTableThatWasRecreated) {
  CanaryConfig c = canary();
  c.create_table = true;
  c.warehouse = WarehouseConfig{"", std::nullopt, PgWarehouseConfig{}, std::nullopt};
  auto timeline = std::make_shared<CanaryTimeline>();
  CanaryWriterProbe writer(c, source("postgres"), timeline);
  WarehouseObserverProbe warehouse(
      c,
      std::make_unique<PgWarehouseReader>(
          PgWarehouseConfig{SecretString{pg->dsn(), pg->dsn()}, "public.cdcwatch_canary"}),
      timeline);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(collect(writer).ok());
  pg->exec("UPDATE public.cdcwatch_canary SET written_at = now() - interval '10 minutes'");
  Labels stage = {{"canary", "orders"}, {"stage", "warehouse"}};
  auto before = collect(warehouse);
  ASSERT_EQ(before.readings.value("cdcwatch_canary_last_seen_seq", stage), 3);
  ASSERT_GT(*before.readings.value("cdcwatch_canary_freshness_seconds", stage), 590);

  pg->exec("DROP TABLE public.cdcwatch_canary");
  auto recreated = collect(writer);
  ASSERT_TRUE(recreated.ok()) << recreated.error_message;
  ASSERT_EQ(pg->query_value("SELECT seq FROM public.cdcwatch_canary"), "1");
  auto after = collect(warehouse);
  ASSERT_TRUE(after.ok()) << after.error_message;
  EXPECT_EQ(after.readings.value("cdcwatch_canary_last_seen_seq", stage), 1);
  EXPECT_LT(*after.readings.value("cdcwatch_canary_freshness_seconds", stage), 60)
      << "below CdcCanaryStaleAtWarehouse's threshold: no stale page";
  EXPECT_EQ(after.status.value("sequence_restarts", 0), 1);
  EXPECT_EQ(collect(warehouse).status.value("sequence_restarts", 0), 1)
      << "the same row read again is not another restart";
}

TEST(CanaryOrder, HigherIsNewerLowerButLaterIsARestartTheSameOrOlderIsNot) {
  EXPECT_EQ(compare_canary(4, 100, 3, 90), CanaryOrder::kNewer);
  EXPECT_EQ(compare_canary(1, 100, 3, 90), CanaryOrder::kSequenceRestarted);
  EXPECT_EQ(compare_canary(3, 100, 3, 90), CanaryOrder::kSequenceRestarted);
  EXPECT_EQ(compare_canary(3, 90, 3, 90), CanaryOrder::kNotNewer) << "the same row again";
  EXPECT_EQ(compare_canary(2, 80, 3, 90), CanaryOrder::kNotNewer) << "an older one replayed";
}

// Issue #15 item 5: the clock skew measured before a restart corrects the observers from their
// first cycle after it, before the writer's first write; on the old code it was unknown (0).
TEST_F(CanaryWriterTest, ARestartKeepsTheLastWriteAndTheClockSkew) {
  CanaryConfig c = canary();
  c.create_table = true;
  auto timeline = std::make_shared<CanaryTimeline>();
  CanaryWriterProbe writer(c, source("postgres"), timeline);
  ASSERT_TRUE(collect(writer).ok());
  nlohmann::json saved = writer.save_state();
  ASSERT_TRUE(saved.is_object()) << saved.dump();
  saved["last_written"]["clock_skew"] = 2.5;

  auto restarted_timeline = std::make_shared<CanaryTimeline>();
  CanaryWriterProbe restarted(c, source("postgres"), restarted_timeline);
  restarted.restore_state(saved);
  EXPECT_TRUE(restarted_timeline->clock_skew_known());
  EXPECT_DOUBLE_EQ(restarted_timeline->clock_skew(), 2.5);

  auto ignored_timeline = std::make_shared<CanaryTimeline>();
  CanaryWriterProbe ignored(c, source("postgres"), ignored_timeline);
  saved["last_written"]["seq"] = "one";
  EXPECT_NO_THROW(ignored.restore_state(saved));
  EXPECT_NO_THROW(ignored.restore_state(nlohmann::json::array()));
  EXPECT_FALSE(ignored_timeline->clock_skew_known()) << "a malformed state is not taken back";
}

}  // namespace
}  // namespace cdcwatch
