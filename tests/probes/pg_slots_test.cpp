// The replication-slot probe against a real PostgreSQL 15 with real logical slots (pgoutput).
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <fstream>
#include <thread>

#include "agent/app/agent.h"
#include "agent/app/config.h"
#include "agent/http/http_client.h"
#include "probes/pg_slots/pg_slots_probe.h"
#include "tests/probes/pg_slots_fixture.h"
#include "tests/support/child_process.h"
#include "tests/support/eventually.h"
#include "tests/support/metrics_text.h"
#include "tests/support/postgres_server.h"

namespace cdcwatch {
namespace {

using testing::PostgresServer;
using namespace std::chrono_literals;

class PgSlotsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pg_ = new PostgresServer();
    pg_->exec("CREATE TABLE orders (id bigserial PRIMARY KEY, pad text)");
    pg_->exec("CREATE PUBLICATION pub FOR TABLE orders");
  }
  static void TearDownTestSuite() { delete pg_; }
  void TearDown() override {
    pg_->exec(
        "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE NOT active");
  }

  PgSourceConfig config(std::vector<std::string> slots = {}) {
    return testing::orders_source(pg_->dsn(), std::move(slots));
  }
  CollectOutcome collect(PgSlotsProbe& probe) {
    ReadingsStore none;
    return probe.collect(CollectContext{clock_.now() + 5s, clock_, none});
  }
  static void write_wal(int rows) {
    pg_->exec("INSERT INTO orders (pad) SELECT repeat('x', 200) FROM generate_series(1, " +
              std::to_string(rows) + ")");
  }
  static double slot_lsn_bytes(const std::string& slot, const std::string& column) {
    return std::stod(pg_->query_value("SELECT pg_wal_lsn_diff(" + column +
                                      ", '0/0') FROM pg_replication_slots WHERE slot_name = '" +
                                      slot + "'"));
  }
  double value(const CollectOutcome& o, const char* metric, Labels labels) {
    auto v = o.readings.value(metric, labels);
    EXPECT_TRUE(v.has_value()) << metric;
    return v.value_or(-1);
  }

  static PostgresServer* pg_;
  FakeClock clock_;
};
PostgresServer* PgSlotsTest::pg_ = nullptr;

const Labels kSource{{"source", "orders"}};
Labels slot_labels(const std::string& slot) { return {{"source", "orders"}, {"slot", slot}}; }

TEST_F(PgSlotsTest, RetainedWalMatchesTheServersOwnArithmeticToTheByte) {
  pg_->exec("SELECT pg_create_logical_replication_slot('exact', 'pgoutput')");
  write_wal(5000);  // about 1.3 MB of WAL
  PgSlotsProbe probe(config(), 1s);
  CollectOutcome o = collect(probe);
  ASSERT_TRUE(o.ok()) << o.error_message;
  double wal = value(o, "cdcwatch_pg_wal_lsn_bytes", kSource);
  double retained = value(o, "cdcwatch_pg_slot_retained_wal_bytes", slot_labels("exact"));
  EXPECT_EQ(retained, wal - slot_lsn_bytes("exact", "restart_lsn"));
  EXPECT_EQ(value(o, "cdcwatch_pg_slot_confirmed_flush_lag_bytes", slot_labels("exact")),
            wal - slot_lsn_bytes("exact", "confirmed_flush_lsn"));
  EXPECT_GT(retained, 1'000'000);
  EXPECT_EQ(value(o, "cdcwatch_pg_up", kSource), 1);
  EXPECT_FALSE(o.readings.value("cdcwatch_pg_slot_safe_wal_size_bytes", slot_labels("exact")))
      << "NULL safe_wal_size (no max_slot_wal_keep_size) is absent, not zero";
  EXPECT_EQ(value(o, "cdcwatch_pg_slot_wal_status",
                  {{"source", "orders"}, {"slot", "exact"}, {"status", "reserved"}}),
            1);
  EXPECT_EQ(value(o, "cdcwatch_pg_slot_wal_status",
                  {{"source", "orders"}, {"slot", "exact"}, {"status", "lost"}}),
            0);
  EXPECT_GE(value(o, "cdcwatch_pg_slot_catalog_xmin_age", slot_labels("exact")), 0);
}

TEST_F(PgSlotsTest, LagFallsWhenTheSlotIsAdvanced) {
  pg_->exec("SELECT pg_create_logical_replication_slot('advance', 'pgoutput')");
  PgSlotsProbe probe(config({"advance"}));
  collect(probe);
  write_wal(3000);
  clock_.advance(10s);
  CollectOutcome before = collect(probe);
  double lag_before =
      value(before, "cdcwatch_pg_slot_confirmed_flush_lag_bytes", slot_labels("advance"));
  double seconds_before =
      value(before, "cdcwatch_pg_slot_confirmed_flush_lag_seconds", slot_labels("advance"));
  EXPECT_GT(lag_before, 500'000);
  EXPECT_GT(seconds_before, 0) << "the server was at the slot's position before the last cycle";

  pg_->exec("SELECT pg_replication_slot_advance('advance', pg_current_wal_lsn())");
  clock_.advance(10s);
  CollectOutcome after = collect(probe);
  double lag_after =
      value(after, "cdcwatch_pg_slot_confirmed_flush_lag_bytes", slot_labels("advance"));
  EXPECT_LT(lag_after, lag_before);
  EXPECT_EQ(lag_after, value(after, "cdcwatch_pg_wal_lsn_bytes", kSource) -
                           slot_lsn_bytes("advance", "confirmed_flush_lsn"));
  EXPECT_LT(value(after, "cdcwatch_pg_slot_confirmed_flush_lag_seconds", slot_labels("advance")),
            seconds_before + 10);
}

// Holds a slot the way Debezium does: a walsender streaming it with pgoutput.
class ReplicationConnection {
 public:
  ReplicationConnection(const std::string& dsn, const std::string& slot) {
    conn_ = PQconnectdb((dsn + " replication=database").c_str());
    PGresult* res = PQexec(conn_, ("START_REPLICATION SLOT " + slot +
                                   " LOGICAL 0/0 (proto_version '1', publication_names 'pub')")
                                      .c_str());
    status_ = PQresultStatus(res);
    PQclear(res);
  }
  ~ReplicationConnection() { PQfinish(conn_); }
  bool streaming() const { return status_ == PGRES_COPY_BOTH; }

 private:
  PGconn* conn_;
  ExecStatusType status_;
};

TEST_F(PgSlotsTest, ActiveWhileAReplicationConnectionHoldsTheSlot) {
  pg_->exec("SELECT pg_create_logical_replication_slot('held', 'pgoutput')");
  PgSlotsProbe probe(config({"held"}));
  Labels active_labels{
      {"source", "orders"}, {"slot", "held"}, {"plugin", "pgoutput"}, {"database", "postgres"}};
  {
    ReplicationConnection walsender(pg_->dsn(), "held");
    ASSERT_TRUE(walsender.streaming());
    CollectOutcome o = collect(probe);
    EXPECT_EQ(value(o, "cdcwatch_pg_slot_active", active_labels), 1);
    EXPECT_EQ(value(o, "cdcwatch_pg_slot_inactive_seconds", slot_labels("held")), 0);
  }
  for (int i = 0;
       i < 100 &&
       pg_->query_value("SELECT active FROM pg_replication_slots WHERE slot_name='held'") == "t";
       ++i) {
    std::this_thread::sleep_for(50ms);  // the walsender exits asynchronously after the client
  }
  CollectOutcome released = collect(probe);
  EXPECT_EQ(value(released, "cdcwatch_pg_slot_active", active_labels), 0);
  clock_.advance(90s);
  EXPECT_EQ(value(collect(probe), "cdcwatch_pg_slot_inactive_seconds", slot_labels("held")), 90);
}

TEST_F(PgSlotsTest, ADroppedSlotLosesItsSeriesAtTheNextCycle) {
  pg_->exec("SELECT pg_create_logical_replication_slot('doomed', 'pgoutput')");
  PgSlotsProbe probe(config());
  EXPECT_TRUE(
      collect(probe).readings.value("cdcwatch_pg_slot_retained_wal_bytes", slot_labels("doomed")));
  pg_->exec("SELECT pg_drop_replication_slot('doomed')");
  CollectOutcome o = collect(probe);
  EXPECT_TRUE(o.ok());
  for (const auto& family : o.readings.families()) {
    for (const auto& series : family.series) {
      EXPECT_NE(label_value(series.labels, "slot"), std::optional<std::string>("doomed"))
          << family.name;
    }
  }
}

TEST_F(PgSlotsTest, ForecastsExhaustionOfTheBudgetFromTheGrowth) {
  pg_->exec("SELECT pg_create_logical_replication_slot('growing', 'pgoutput')");
  PgSourceConfig c = config({"growing"});
  c.wal_budget = 64ull << 20;
  PgSlotsProbe probe(c);
  CollectOutcome first = collect(probe);
  EXPECT_FALSE(
      first.readings.value("cdcwatch_pg_slot_wal_exhaustion_seconds", slot_labels("growing")))
      << "no growth known from one observation";
  for (int i = 0; i < 3; ++i) {
    write_wal(2000);
    clock_.advance(10s);
    collect(probe);
  }
  clock_.advance(10s);
  CollectOutcome o = collect(probe);
  double growth =
      value(o, "cdcwatch_pg_slot_retained_wal_growth_bytes_per_second", slot_labels("growing"));
  double retained = value(o, "cdcwatch_pg_slot_retained_wal_bytes", slot_labels("growing"));
  EXPECT_GT(growth, 10'000);
  EXPECT_NEAR(value(o, "cdcwatch_pg_slot_wal_exhaustion_seconds", slot_labels("growing")),
              (c.wal_budget.value() - retained) / growth, 1e-6);
  Labels with_cause = slot_labels("growing");
  with_cause.emplace_back("cause", "consumer_down");
  EXPECT_EQ(value(o, "cdcwatch_pg_slot_wal_exhaustion_by_cause_seconds", with_cause),
            value(o, "cdcwatch_pg_slot_wal_exhaustion_seconds", slot_labels("growing")))
      << "the critical page names why the slot grows";
}

TEST(PgSlotsWalStatus, MovesToUnreservedThenLostPastMaxSlotWalKeepSize) {
  PostgresServer pg(
      {{"max_slot_wal_keep_size = 1MB", "max_wal_size = 1GB", "checkpoint_timeout = 1h"}});
  pg.exec("CREATE TABLE t (pad text)");
  pg.exec("SELECT pg_create_logical_replication_slot('small', 'pgoutput')");
  PgSourceConfig c;
  c.name = "orders";
  c.dsn = resolve_secrets(pg.dsn());
  PgSlotsProbe probe(c, 1s);
  FakeClock clock;
  ReadingsStore none;
  auto status_of = [&](const char* status) {
    CollectOutcome o = probe.collect(CollectContext{clock.now() + 5s, clock, none});
    return o.readings.value("cdcwatch_pg_slot_wal_status",
                            {{"source", "orders"}, {"slot", "small"}, {"status", status}});
  };
  EXPECT_EQ(status_of("reserved"), 1);
  pg.exec("INSERT INTO t SELECT repeat('x', 100) FROM generate_series(1, 10000)");
  pg.exec("SELECT pg_switch_wal()");
  EXPECT_EQ(status_of("unreserved"), 1);
  EXPECT_EQ(status_of("reserved"), 0);
  pg.exec("CHECKPOINT");
  EXPECT_EQ(status_of("lost"), 1);
}

TEST(PgSlotsUnreachable, ReportsDownWithNoSlotSeriesAndAMessageThatSaysWhatToDo) {
  PgSourceConfig c;
  c.name = "orders";
  c.dsn = resolve_secrets("host=127.0.0.1 port=" + std::to_string(testing::free_tcp_port()) +
                          " connect_timeout=2");
  PgSlotsProbe probe(c, 1s);
  FakeClock clock;
  ReadingsStore none;
  CollectOutcome o = probe.collect(CollectContext{clock.now() + 5s, clock, none});
  EXPECT_FALSE(o.ok());
  EXPECT_EQ(o.error_reason, "connect");
  EXPECT_NE(o.error_message.find("source orders"), std::string::npos) << o.error_message;
  EXPECT_NE(o.error_message.find("postgres[].dsn"), std::string::npos) << o.error_message;
  EXPECT_EQ(o.readings.value("cdcwatch_pg_up", {{"source", "orders"}}), 0);
  EXPECT_EQ(o.readings.families().size(), 1u) << "nothing but cdcwatch_pg_up";
}

TEST(PgSlotsPrivileges, WorksWithExactlyTheLeastPrivilegeRoleAndWritesNothing) {
  PostgresServer pg;
  std::ifstream script(std::string(CDCWATCH_SOURCE_DIR) + "/scripts/sql/cdcwatch_role.sql");
  std::string sql((std::istreambuf_iterator<char>(script)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(sql.empty());
  pg.exec(sql);
  pg.exec("SELECT pg_create_logical_replication_slot('debezium_slot', 'pgoutput')");
  EXPECT_EQ(pg.query_value("SELECT rolsuper FROM pg_roles WHERE rolname = 'cdcwatch'"), "f");

  PgSourceConfig c;
  c.name = "orders";
  c.dsn = resolve_secrets(pg.dsn("postgres", "cdcwatch"));
  PgSlotsProbe probe(c, 1s);
  FakeClock clock;
  ReadingsStore none;
  CollectOutcome o = probe.collect(CollectContext{clock.now() + 5s, clock, none});
  ASSERT_TRUE(o.ok()) << o.error_message;
  EXPECT_TRUE(o.readings.value("cdcwatch_pg_slot_retained_wal_bytes",
                               {{"source", "orders"}, {"slot", "debezium_slot"}}));
  EXPECT_EQ(
      pg.query_value("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'cdcwatch'"),
      "1");

  PgConnection as_agent(c.dsn, PgOptions{});
  PgResult write = as_agent.query("CREATE TABLE should_fail (id int)");
  EXPECT_FALSE(write.ok()) << "the agent's sessions are read-only";
  EXPECT_EQ(write.sqlstate, "25006");  // read_only_sql_transaction
}

// The whole agent over HTTP while PostgreSQL is stopped and started under it.
std::optional<double> scrape(int port, const std::string& metric,
                             std::map<std::string, std::string> match) {
  HttpResponse response =
      send_http({.url = "http://127.0.0.1:" + std::to_string(port) + "/metrics"});
  if (!response.success()) return std::nullopt;
  return testing::MetricsText(response.body).value(metric, match);
}

using testing::eventually;

std::optional<double> pg_up(int port) {
  return scrape(port, "cdcwatch_pg_up", {{"source", "orders"}});
}

// An agent whose only probe watches `pg` as source "orders", every 200 ms.
Config agent_watching(const PostgresServer& pg, const testing::TempDir& state) {
  return parse_config(ConfigNode::load_string(
      "agent:\n  state_dir: " + state.path() +
          "\n  listen: 127.0.0.1:0\n  interval: 200ms\npostgres:\n  - name: orders\n    dsn: \"" +
          pg.dsn() + "\"\n    connect_timeout: 1s\n",
      "test.yml"));
}

TEST(PgSlotsAgent, SurvivesPostgresStoppingAndStartingUnderIt) {
  PostgresServer pg;
  pg.exec("SELECT pg_create_logical_replication_slot('debezium_slot', 'pgoutput')");
  testing::TempDir state;
  Config config = agent_watching(pg, state);
  SystemClock clock;
  Agent agent(config, clock);
  agent.start();
  int port = agent.port();
  std::map<std::string, std::string> slot{{"source", "orders"}, {"slot", "debezium_slot"}};
  EXPECT_TRUE(eventually([&] { return pg_up(port) == 1.0; }));
  EXPECT_TRUE(scrape(port, "cdcwatch_pg_slot_retained_wal_bytes", slot).has_value());

  pg.stop();
  EXPECT_TRUE(eventually([&] { return pg_up(port) == 0.0; }));
  EXPECT_FALSE(scrape(port, "cdcwatch_pg_slot_retained_wal_bytes", slot).has_value())
      << "no stale slot numbers while the source is down";
  EXPECT_EQ(scrape(port, "cdcwatch_probe_up", {{"probe", "pg_slots/orders"}}), 0.0);

  pg.start();
  EXPECT_TRUE(eventually([&] { return pg_up(port) == 1.0; }, 60s));
  EXPECT_TRUE(scrape(port, "cdcwatch_pg_slot_retained_wal_bytes", slot).has_value());
  EXPECT_GE(scrape(port, "cdcwatch_probe_errors_total", {{"probe", "pg_slots/orders"}}).value_or(0),
            1);
  agent.stop();
}

TEST(PgSlotsAgent, SurvivesItsBackendTerminatedAndPostgresCrashing) {
  PostgresServer pg;
  pg.exec("SELECT pg_create_logical_replication_slot('debezium_slot', 'pgoutput')");
  testing::TempDir state;
  Config config = agent_watching(pg, state);
  SystemClock clock;
  Agent agent(config, clock);
  agent.start();
  int port = agent.port();
  EXPECT_TRUE(eventually([&] { return pg_up(port) == 1.0; }));
  // An administrator (or a failover) kills cdcwatch's session under it.
  pg.exec(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'cdcwatch'");
  EXPECT_TRUE(eventually([&] {
    return pg.query_value(
               "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'cdcwatch'") ==
               "1" &&
           pg_up(port) == 1.0;
  })) << "reconnected";
  // The server crashes (immediate shutdown: no checkpoint, connections cut mid-stream) and returns.
  pg.kill();
  EXPECT_TRUE(eventually([&] { return pg_up(port) == 0.0; }));
  pg.start();
  EXPECT_TRUE(eventually([&] { return pg_up(port) == 1.0; }, 60s));
  EXPECT_TRUE(scrape(port, "cdcwatch_pg_slot_retained_wal_bytes",
                     {{"source", "orders"}, {"slot", "debezium_slot"}})
                  .has_value());
  EXPECT_TRUE(agent.stop()) << "no probe worker left blocked";
}

}  // namespace
}  // namespace cdcwatch
