// Why a slot retains WAL, and slots that lost changes, reproduced on a real PostgreSQL 15: each
// cause of retained-WAL growth with a real consumer (the replication protocol, tests/probes/
// pg_slots_consumer.h) or none, slots dropped and recreated while the probe runs and while it is
// stopped (save_state, a new probe, restore_state). Windows run on the injectable clock.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include "agent/alerting/alert_evaluator.h"
#include "agent/alerting/rule_set.h"
#include "agent/core/readings_store.h"
#include "probes/pg_slots/pg_slots_probe.h"
#include "tests/probes/pg_slots_consumer.h"
#include "tests/probes/pg_slots_fixture.h"
#include "tests/support/eventually.h"
#include "tests/support/postgres_server.h"

namespace cdcwatch {
namespace {

using namespace std::chrono_literals;
using testing::eventually;
using testing::LogicalConsumer;
using testing::PostgresServer;

class PgSlotCausesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pg_ = new PostgresServer({.extra_conf = {"max_prepared_transactions = 5"}});
    pg_->exec("CREATE TABLE orders (id bigserial PRIMARY KEY, pad text)");
    pg_->exec("CREATE PUBLICATION pub FOR TABLE orders");
    pg_->exec("CREATE DATABASE shop");
    pg_->exec(
        "CREATE TABLE carts (id bigserial PRIMARY KEY); CREATE PUBLICATION shop_pub FOR "
        "TABLE carts",
        "shop");
  }
  static void TearDownTestSuite() { delete pg_; }
  void TearDown() override {
    for (const char* db : {"postgres", "shop"}) {
      pg_->exec(
          "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
          "WHERE NOT active AND database = current_database()",
          db);
    }
  }

  PgSourceConfig config(std::vector<std::string> slots = {}) {
    return testing::orders_source(pg_->dsn(), std::move(slots));
  }
  CollectOutcome collect(PgSlotsProbe& probe) {
    ReadingsStore none;
    CollectOutcome o = probe.collect(CollectContext{clock_.now() + 5s, clock_, none});
    EXPECT_TRUE(o.ok()) << o.error_message;
    return o;
  }
  static void write_wal(int rows, const std::string& db = "postgres") {
    pg_->exec("INSERT INTO orders (pad) SELECT repeat('x', 200) FROM generate_series(1, " +
                  std::to_string(rows) + ")",
              db);
  }
  static void create_slot(const std::string& slot, const std::string& db = "postgres",
                          const std::string& plugin = "pgoutput") {
    pg_->exec("SELECT pg_create_logical_replication_slot('" + slot + "', '" + plugin + "')", db);
  }
  static std::string cause(const CollectOutcome& o, const std::string& slot) {
    return o.status["slots"][slot].value("wal_growth_cause", "");
  }
  static std::optional<double> value(const CollectOutcome& o, const char* metric, Labels labels) {
    return o.readings.value(metric, labels);
  }

  void confirm_until_catalog_xmin_is(LogicalConsumer& consumer, const std::string& slot,
                                     const std::string& xid);
  CollectOutcome grow_while_confirming(PgSlotsProbe& probe, LogicalConsumer& consumer);

  static PostgresServer* pg_;
  FakeClock clock_;
};
PostgresServer* PgSlotCausesTest::pg_ = nullptr;

Labels slot_labels(const std::string& slot) { return {{"source", "orders"}, {"slot", slot}}; }
Labels with_label(Labels labels, const char* name, const char* value) {
  labels.emplace_back(name, value);
  return labels;
}

TEST_F(PgSlotCausesTest, ConsumerStopped) {
  create_slot("stopped");
  PgSlotsProbe probe(config({"stopped"}));
  EXPECT_EQ(cause(collect(probe), "stopped"), "none") << "no growth known from one sighting";
  write_wal(2000);
  clock_.advance(10s);
  CollectOutcome o = collect(probe);
  EXPECT_EQ(cause(o, "stopped"), "consumer_down");
  EXPECT_EQ(value(o, "cdcwatch_pg_slot_wal_growth_cause",
                  with_label(slot_labels("stopped"), "cause", "consumer_down")),
            1);
  EXPECT_EQ(value(o, "cdcwatch_pg_slot_wal_growth_cause",
                  with_label(slot_labels("stopped"), "cause", "none")),
            0);
  EXPECT_EQ(value(o, "cdcwatch_pg_slot_retained_wal_by_cause_bytes",
                  with_label(slot_labels("stopped"), "cause", "consumer_down")),
            value(o, "cdcwatch_pg_slot_retained_wal_bytes", slot_labels("stopped")));

  // The consumer is back and drains it: no growth any more, but the WAL still retained was piled
  // up while the consumer was down, and its page keeps that cause.
  pg_->exec("CHECKPOINT");  // a running-transactions record the slot's restart_lsn can move to
  pg_->exec("SELECT pg_replication_slot_advance('stopped', pg_current_wal_lsn())");
  clock_.advance(10s);
  collect(probe);
  clock_.advance(10s);
  CollectOutcome draining = collect(probe);
  EXPECT_EQ(cause(draining, "stopped"), "none");
  EXPECT_EQ(value(draining, "cdcwatch_pg_slot_retained_wal_by_cause_bytes",
                  with_label(slot_labels("stopped"), "cause", "consumer_down")),
            value(draining, "cdcwatch_pg_slot_retained_wal_bytes", slot_labels("stopped")));
  EXPECT_FALSE(value(draining, "cdcwatch_pg_slot_retained_wal_by_cause_bytes",
                     with_label(slot_labels("stopped"), "cause", "none")));
}

TEST_F(PgSlotCausesTest, ConsumerReadingSlowlyFallsBehind) {
  create_slot("slow");
  LogicalConsumer consumer(pg_->dsn(), "slow", "pub");
  ASSERT_TRUE(consumer.streaming());
  PgSlotsProbe probe(config({"slow"}));
  collect(probe);
  bool confirmed_once = false;
  for (int cycle = 0; cycle < 3; ++cycle) {
    write_wal(500);
    consumer.read(1, 200ms);  // one message per cycle: far slower than the writes
    if (!confirmed_once) consumer.confirm(), confirmed_once = true;
    clock_.advance(60s);
    collect(probe);
  }
  write_wal(500);
  clock_.advance(60s);
  CollectOutcome o = collect(probe);
  EXPECT_EQ(o.status["slots"]["slow"]["active"], true);
  EXPECT_GT(value(o, "cdcwatch_pg_slot_confirmed_flush_lag_seconds", slot_labels("slow")).value(),
            120);
  EXPECT_EQ(cause(o, "slow"), "consumer_behind");
  EXPECT_EQ(
      value(o, "cdcwatch_pg_walsender_state", with_label(slot_labels("slow"), "state", "streaming"))
              .value_or(0) +
          value(o, "cdcwatch_pg_walsender_state",
                with_label(slot_labels("slow"), "state", "catchup"))
              .value_or(0),
      1)
      << "the slot's walsender is in pg_stat_replication";
}

// A fast consumer confirms everything it is sent, until the slot's catalog_xmin reaches `xid`
// (an open transaction's): the slot can then go no further however fast the consumer is.
void PgSlotCausesTest::confirm_until_catalog_xmin_is(LogicalConsumer& consumer,
                                                     const std::string& slot,
                                                     const std::string& xid) {
  pg_->exec("CHECKPOINT");  // logs the running transactions, which decoding then records
  ASSERT_TRUE(eventually([&] {
    write_wal(10);
    consumer.read(100, 50ms);
    consumer.confirm();
    return pg_->query_value("SELECT catalog_xmin FROM pg_replication_slots WHERE slot_name = '" +
                            slot + "'") == xid;
  })) << "catalog_xmin reaches the open transaction's xid "
      << xid;
}

// Retained WAL grows by a cycle's writes while the consumer confirms them all.
CollectOutcome PgSlotCausesTest::grow_while_confirming(PgSlotsProbe& probe,
                                                       LogicalConsumer& consumer) {
  collect(probe);
  write_wal(2000);
  consumer.read(1000, 50ms);
  consumer.confirm();
  clock_.advance(10s);
  return collect(probe);
}

TEST_F(PgSlotCausesTest, AnOpenTransactionPinsTheSlot) {
  create_slot("pinned");
  LogicalConsumer consumer(pg_->dsn(), "pinned", "pub");
  ASSERT_TRUE(consumer.streaming());
  PGconn* report = PQconnectdb((pg_->dsn() + " application_name=nightly_report").c_str());
  PQclear(PQexec(report, "BEGIN; INSERT INTO orders (pad) VALUES ('held'); SELECT pg_sleep(0)"));
  std::string xid = pg_->query_value(
      "SELECT backend_xid FROM pg_stat_activity WHERE application_name = 'nightly_report'");
  ASSERT_FALSE(xid.empty());
  confirm_until_catalog_xmin_is(consumer, "pinned", xid);
  PgSlotsProbe probe(config({"pinned"}));
  CollectOutcome o = grow_while_confirming(probe, consumer);
  EXPECT_EQ(cause(o, "pinned"), "long_transaction");
  EXPECT_EQ(o.status["slots"]["pinned"]["held_by_open_transaction"], true);
  EXPECT_GT(value(o, "cdcwatch_pg_oldest_transaction_age_seconds", {{"source", "orders"}}).value(),
            0);
  EXPECT_EQ(o.status["oldest_transaction"]["application_name"], "nightly_report");
  EXPECT_EQ(o.status["oldest_transaction"]["state"], "idle in transaction");
  EXPECT_EQ(o.status["oldest_transaction"].dump().find("INSERT"), std::string::npos)
      << "never the query text";
  PQfinish(report);
}

TEST_F(PgSlotCausesTest, AForgottenPreparedTransactionPinsTheSlot) {
  create_slot("prepared");
  LogicalConsumer consumer(pg_->dsn(), "prepared", "pub");
  ASSERT_TRUE(consumer.streaming());
  pg_->exec("BEGIN; INSERT INTO orders (pad) VALUES ('2pc'); PREPARE TRANSACTION 'forgotten'");
  std::string xid =
      pg_->query_value("SELECT transaction FROM pg_prepared_xacts WHERE gid = 'forgotten'");
  confirm_until_catalog_xmin_is(consumer, "prepared", xid);
  PgSlotsProbe probe(config({"prepared"}));
  CollectOutcome o = grow_while_confirming(probe, consumer);
  pg_->exec("COMMIT PREPARED 'forgotten'");
  EXPECT_EQ(cause(o, "prepared"), "long_transaction");
}

TEST_F(PgSlotCausesTest, IdleDatabaseWhileAnotherDatabaseWrites) {
  create_slot("shop_slot", "shop");
  LogicalConsumer consumer(pg_->dsn("shop"), "shop_slot", "shop_pub");  // Debezium, no heartbeat
  ASSERT_TRUE(consumer.streaming());
  PgSlotsProbe probe(config({"shop_slot"}));
  collect(probe);
  write_wal(2000, "postgres");
  consumer.read(10, 50ms);
  clock_.advance(10s);
  CollectOutcome o = collect(probe);
  EXPECT_EQ(o.status["slots"]["shop_slot"]["active"], true);
  EXPECT_EQ(cause(o, "shop_slot"), "idle_database");
}

TEST_F(PgSlotCausesTest, ATransactionLargerThanLogicalDecodingWorkMemSpills) {
  create_slot("spilling");
  LogicalConsumer consumer(pg_->dsn(), "spilling", "pub",
                           "options='-c logical_decoding_work_mem=64kB'");
  ASSERT_TRUE(consumer.streaming());
  PgSlotsProbe probe(config({"spilling"}));
  CollectOutcome before = collect(probe);
  EXPECT_EQ(value(before, "cdcwatch_pg_slot_spilled_bytes_total", slot_labels("spilling")), 0);
  write_wal(5000);  // about 1.3 MB in one transaction
  ASSERT_TRUE(eventually([&] {
    consumer.read(1000, 20ms);  // read, never confirm: a consumer busy with a large transaction
    return pg_->query_value(
               "SELECT spill_bytes FROM pg_stat_replication_slots WHERE slot_name = "
               "'spilling'") != "0";
  }));
  clock_.advance(10s);
  CollectOutcome o = collect(probe);
  EXPECT_GT(value(o, "cdcwatch_pg_slot_spilled_bytes_total", slot_labels("spilling")).value(),
            65536);
  EXPECT_GE(value(o, "cdcwatch_pg_slot_spilled_transactions_total", slot_labels("spilling")), 1);
  EXPECT_TRUE(value(o, "cdcwatch_pg_slot_decoded_bytes_total", slot_labels("spilling")));
  EXPECT_EQ(value(o, "cdcwatch_pg_slot_streamed_bytes_total", slot_labels("spilling")), 0);
  EXPECT_EQ(cause(o, "spilling"), "large_transactions");
}

// --- Slots that lost changes ---

std::string lsn_of(PostgresServer& pg, const std::string& slot, const char* column) {
  return pg.query_value(std::string("SELECT ") + column +
                        " FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
}

nlohmann::json unread(const CollectOutcome& o, const std::string& slot) {
  const auto& status = o.status.at("slots").at(slot);
  return status.contains("unread") ? status.at("unread") : nlohmann::json();
}

TEST_F(PgSlotCausesTest, ASlotDroppedAndRecreatedWhileTheProbeRunsPagesTheRangeNeverRead) {
  create_slot("recreated");
  write_wal(100);
  pg_->exec("SELECT pg_replication_slot_advance('recreated', pg_current_wal_lsn())");
  std::string last_confirmed = lsn_of(*pg_, "recreated", "confirmed_flush_lsn");
  PgSlotsProbe probe(config({}));
  EXPECT_TRUE(collect(probe).status["slots"]["recreated"]["unread"].is_null());
  pg_->exec("SELECT pg_drop_replication_slot('recreated')");
  collect(probe);
  write_wal(1000);  // changes nobody will ever read
  create_slot("recreated");
  CollectOutcome o = collect(probe);
  std::string new_restart = lsn_of(*pg_, "recreated", "restart_lsn");
  EXPECT_EQ(unread(o, "recreated")["from_lsn"], last_confirmed);
  EXPECT_EQ(unread(o, "recreated")["to_lsn"], new_restart);
  Labels labels = slot_labels("recreated");
  labels.emplace_back("from_lsn", last_confirmed);
  labels.emplace_back("to_lsn", new_restart);
  labels.emplace_back("cause", "recreated");
  double bytes = std::stod(
      pg_->query_value("SELECT pg_wal_lsn_diff('" + new_restart + "', '" + last_confirmed + "')"));
  EXPECT_EQ(value(o, "cdcwatch_pg_slot_unread_wal_bytes", labels), bytes);
  EXPECT_GT(bytes, 200'000);
  clock_.advance(1h);
  EXPECT_EQ(value(collect(probe), "cdcwatch_pg_slot_unread_wal_bytes", labels), bytes)
      << "still reported: the page must not resolve by itself within the day";
}

// The shipped rule, as the agent evaluates it on the probe's readings.
std::vector<AlertEvent> page(const std::string& alert, const CollectOutcome& o, TimePoint now,
                             double threshold_override = -1) {
  std::vector<AlertRule> rules;
  for (AlertRule rule : default_rules()) {
    if (rule.alert != alert) continue;
    if (threshold_override >= 0) {
      rule.threshold = threshold_override;
      rule.for_duration = Millis(0);
    }
    rules.push_back(rule);
  }
  EXPECT_EQ(rules.size(), 1u) << alert;
  AlertEvaluator evaluator(rules, EvaluatorOptions{});
  ReadingsStore store;
  store.publish("pg_slots/orders", o.readings);
  return evaluator.evaluate(store, now, true);
}

TEST_F(PgSlotCausesTest, TheRecreatedPageIsCriticalAndNamesTheRangeAndTheRetainedPageItsCause) {
  create_slot("paged");
  write_wal(100);
  pg_->exec("SELECT pg_replication_slot_advance('paged', pg_current_wal_lsn())");
  std::string last_confirmed = lsn_of(*pg_, "paged", "confirmed_flush_lsn");
  PgSlotsProbe probe(config({"paged"}));
  collect(probe);
  pg_->exec("SELECT pg_drop_replication_slot('paged')");
  collect(probe);
  write_wal(1000);
  create_slot("paged");
  write_wal(1000);
  clock_.advance(10s);
  CollectOutcome o = collect(probe);
  auto recreated = page("CdcSlotRecreated", o, clock_.now());
  ASSERT_EQ(recreated.size(), 1u);
  EXPECT_EQ(recreated[0].severity, "critical");
  EXPECT_NE(
      recreated[0].summary.find(last_confirmed + " and " + lsn_of(*pg_, "paged", "restart_lsn")),
      std::string::npos)
      << recreated[0].summary;
  EXPECT_NE(recreated[0].summary.find("was recreated"), std::string::npos);

  write_wal(1000);
  clock_.advance(10s);
  auto retained = page("CdcSlotRetainedWalHigh", collect(probe), clock_.now(), 1);
  ASSERT_EQ(retained.size(), 1u);
  EXPECT_NE(retained[0].summary.find("cause: consumer_down"), std::string::npos)
      << retained[0].summary;
}

// Decodes (and confirms) what is pending on a test_decoding slot, as a consumer would.
void consume_sql(PostgresServer& pg, const std::string& slot) {
  pg.exec("SELECT count(*) FROM pg_logical_slot_get_changes('" + slot + "', NULL, NULL)");
}

TEST_F(PgSlotCausesTest, ASlotRecreatedWhileTheAgentWasStoppedIsFoundAfterRestore) {
  create_slot("offline", "postgres", "test_decoding");
  write_wal(50);
  consume_sql(*pg_, "offline");
  nlohmann::json saved;
  {
    PgSlotsProbe before(config({"offline"}));
    collect(before);
    saved = before.save_state();
  }
  std::string last_confirmed = lsn_of(*pg_, "offline", "confirmed_flush_lsn");
  pg_->exec("SELECT pg_drop_replication_slot('offline')");
  write_wal(1000);
  create_slot("offline", "postgres", "test_decoding");
  PgSlotsProbe after(config({"offline"}));
  after.restore_state(nlohmann::json::parse(saved.dump()));
  CollectOutcome o = collect(after);
  EXPECT_EQ(unread(o, "offline")["from_lsn"], last_confirmed);
  EXPECT_EQ(unread(o, "offline")["to_lsn"], lsn_of(*pg_, "offline", "restart_lsn"));
  EXPECT_EQ(unread(o, "offline")["cause"], "recreated");
}

TEST_F(PgSlotCausesTest, ASlotThatProgressedWhileTheAgentWasStoppedIsNotALoss) {
  create_slot("progressed", "postgres", "test_decoding");
  write_wal(50);
  consume_sql(*pg_, "progressed");
  PgSlotsProbe before(config({"progressed"}));
  collect(before);
  nlohmann::json saved = before.save_state();
  double last_confirmed = std::stod(pg_->query_value(
      "SELECT pg_wal_lsn_diff(confirmed_flush_lsn, '0/0') FROM pg_replication_slots WHERE "
      "slot_name = 'progressed'"));
  for (int i = 0; i < 3; ++i) {
    write_wal(500);
    pg_->exec("CHECKPOINT");
    consume_sql(*pg_, "progressed");
  }
  ASSERT_GT(std::stod(pg_->query_value("SELECT pg_wal_lsn_diff(restart_lsn, '0/0') FROM "
                                       "pg_replication_slots WHERE slot_name = 'progressed'")),
            last_confirmed)
      << "the case to tell apart: restart_lsn is past the last confirmed position seen";
  PgSlotsProbe after(config({"progressed"}));
  after.restore_state(saved);
  CollectOutcome o = collect(after);
  EXPECT_TRUE(unread(o, "progressed").is_null()) << unread(o, "progressed").dump();
  EXPECT_FALSE(o.readings.family("cdcwatch_pg_slot_unread_wal_bytes"));
}

TEST_F(PgSlotCausesTest, RestoreKeepsInactiveSecondsAndTheGrowthWindow) {
  create_slot("outage");
  PgSlotsProbe before(config({"outage"}));
  collect(before);
  write_wal(2000);
  clock_.advance(100s);
  CollectOutcome last = collect(before);
  EXPECT_EQ(value(last, "cdcwatch_pg_slot_inactive_seconds", slot_labels("outage")), 100);
  nlohmann::json saved = before.save_state();

  PgSlotsProbe after(config({"outage"}));
  after.restore_state(nlohmann::json::parse(saved.dump()));
  clock_.advance(50s);
  CollectOutcome o = collect(after);
  EXPECT_EQ(value(o, "cdcwatch_pg_slot_inactive_seconds", slot_labels("outage")), 150)
      << "not reset by the restart";
  EXPECT_TRUE(
      value(o, "cdcwatch_pg_slot_retained_wal_growth_bytes_per_second", slot_labels("outage")))
      << "growth known at the first cycle after the restart";
  EXPECT_EQ(cause(o, "outage"), "consumer_down");
  EXPECT_EQ(o.status["slots"]["outage"]["retained_wal_cause"], "consumer_down");
  EXPECT_TRUE(value(o, "cdcwatch_pg_slot_confirmed_flush_lag_seconds", slot_labels("outage")));
}

TEST_F(PgSlotCausesTest, RestoreIgnoresWhatItCannotTrust) {
  create_slot("fresh");
  for (const char* text :
       {"null", "42", R"({"version": 99})", R"({"version": 1, "slots": 7})",
        R"({"version": 1, "wal_history": "x", "slots": {"fresh": {"retained": [[1, "y"]],
           "inactive_since": "yesterday", "last_sighting": {"confirmed_flush_bytes": "z"}}}})"}) {
    PgSlotsProbe probe(config({"fresh"}));
    probe.restore_state(nlohmann::json::parse(text));
    CollectOutcome o = collect(probe);
    EXPECT_EQ(value(o, "cdcwatch_pg_slot_inactive_seconds", slot_labels("fresh")), 0) << text;
    EXPECT_TRUE(unread(o, "fresh").is_null()) << text;
  }
}

}  // namespace
}  // namespace cdcwatch
