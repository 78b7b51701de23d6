// The slot query for every supported PostgreSQL version (13 to 18), although only 15 runs here.
// Two checks per version:
//  - every column the query reads is in that version's documented column list (below, cited);
//  - the query runs and decodes against views that have exactly that version's columns: a schema
//    `docs_pgNN`, first on the search_path, shadows pg_replication_slots and
//    pg_stat_replication_slots (and current_setting, for server_version_num) on a real
//    PostgreSQL 15, so a column the version lacks is an error, as it would be on that server.
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>

#include "agent/alerting/alert_evaluator.h"
#include "agent/alerting/rule_set.h"
#include "agent/core/readings_store.h"
#include "probes/pg_slots/pg_slots_probe.h"
#include "probes/pg_slots/slot_query.h"
#include "probes/pg_slots/slot_report.h"
#include "probes/pg_slots/slot_row.h"
#include "tests/support/postgres_server.h"

namespace cdcwatch {
namespace {

using namespace std::chrono_literals;
using Columns = std::set<std::string>;

// pg_replication_slots, https://www.postgresql.org/docs/<N>/view-pg-replication-slots.html
const Columns kSlots13 = {"slot_name",  "plugin",       "slot_type",   "datoid",
                          "database",   "temporary",    "active",      "active_pid",
                          "xmin",       "catalog_xmin", "restart_lsn", "confirmed_flush_lsn",
                          "wal_status", "safe_wal_size"};
Columns plus(Columns base, const Columns& more) {
  base.insert(more.begin(), more.end());
  return base;
}
const Columns kSlots14 = plus(kSlots13, {"two_phase"});  // 15: the same
const Columns kSlots16 = plus(kSlots14, {"conflicting"});
const Columns kSlots17 =
    plus(kSlots16, {"inactive_since", "invalidation_reason", "failover", "synced"});
const Columns kSlots18 = plus(kSlots17, {"two_phase_at"});
// pg_stat_replication_slots (14+), https://www.postgresql.org/docs/14/monitoring-stats.html
const Columns kSlotStats14 = {"slot_name",   "spill_txns",   "spill_count",  "spill_bytes",
                              "stream_txns", "stream_count", "stream_bytes", "total_txns",
                              "total_bytes", "stats_reset"};
// pg_stat_replication, pg_stat_activity and pg_stat_database as of 13 (later versions only add),
// https://www.postgresql.org/docs/13/monitoring-stats.html
const Columns kReplication13 = {
    "pid",          "usesysid",        "usename",     "application_name",
    "client_addr",  "client_hostname", "client_port", "backend_start",
    "backend_xmin", "state",           "sent_lsn",    "write_lsn",
    "flush_lsn",    "replay_lsn",      "write_lag",   "flush_lag",
    "replay_lag",   "sync_priority",   "sync_state",  "reply_time"};
const Columns kActivity13 = {"datid",
                             "datname",
                             "pid",
                             "leader_pid",
                             "usesysid",
                             "usename",
                             "application_name",
                             "client_addr",
                             "client_hostname",
                             "client_port",
                             "backend_start",
                             "xact_start",
                             "query_start",
                             "state_change",
                             "wait_event_type",
                             "wait_event",
                             "state",
                             "backend_xid",
                             "backend_xmin",
                             "query",
                             "backend_type"};
const Columns kDatabase13 = {"datid",         "datname",           "numbackends",
                             "xact_commit",   "xact_rollback",     "blks_read",
                             "blks_hit",      "tup_returned",      "tup_fetched",
                             "tup_inserted",  "tup_updated",       "tup_deleted",
                             "conflicts",     "temp_files",        "temp_bytes",
                             "deadlocks",     "checksum_failures", "checksum_last_failure",
                             "blk_read_time", "blk_write_time",    "stats_reset"};

// https://www.postgresql.org/docs/13/view-pg-prepared-xacts.html
const Columns kPreparedXacts13 = {"transaction", "gid", "prepared", "owner", "database"};

struct Version {
  int number;
  const char* path;
  Columns slots;
  std::optional<Columns> slot_stats;
};

const Version kVersions[] = {
    {130011, "13", kSlots13, std::nullopt},    {140010, "14-15", kSlots14, kSlotStats14},
    {150005, "14-15", kSlots14, kSlotStats14}, {160001, "16", kSlots16, kSlotStats14},
    {170002, "17", kSlots17, kSlotStats14},    {180000, "18", kSlots18, kSlotStats14}};

// Alias -> the view it stands for, in slot_query.cpp.
std::map<std::string, std::set<std::string>> columns_read(const std::string& sql) {
  std::map<std::string, std::set<std::string>> read;
  static const std::regex reference(R"(\b(s|st|r|d|a|px)\.([a-z_]+))");
  for (std::sregex_iterator it(sql.begin(), sql.end(), reference), end; it != end; ++it) {
    read[(*it)[1]].insert((*it)[2]);
  }
  return read;
}

void expect_documented(const std::set<std::string>& read, const Columns& documented,
                       const std::string& where) {
  for (const auto& column : read) {
    EXPECT_TRUE(documented.count(column)) << where << " reads undocumented column " << column;
  }
}

TEST(SlotQuery, ReadsOnlyColumnsEachVersionDocuments) {
  for (const Version& v : kVersions) {
    auto query = build_slot_query(v.number);
    ASSERT_TRUE(query) << v.number;
    EXPECT_EQ(query->path, v.path);
    auto read = columns_read(query->sql);
    std::string at = "PostgreSQL " + std::to_string(v.number);
    expect_documented(read["s"], v.slots, at + " pg_replication_slots");
    expect_documented(read["r"], kReplication13, at + " pg_stat_replication");
    expect_documented(read["a"], kActivity13, at + " pg_stat_activity");
    expect_documented(read["px"], kPreparedXacts13, at + " pg_prepared_xacts");
    expect_documented(read["d"], kDatabase13, at + " pg_stat_database");
    if (v.slot_stats) {
      expect_documented(read["st"], *v.slot_stats, at + " pg_stat_replication_slots");
      EXPECT_TRUE(read["st"].count("spill_bytes")) << at;
    } else {
      EXPECT_TRUE(read["st"].empty()) << at << ": pg_stat_replication_slots is new in 14";
    }
    EXPECT_EQ(read["s"].count("conflicting"), v.number >= 160000 ? 1u : 0u) << at;
    EXPECT_EQ(read["s"].count("invalidation_reason"), v.number >= 170000 ? 1u : 0u) << at;
    EXPECT_EQ(read["s"].count("inactive_since"), v.number >= 170000 ? 1u : 0u) << at;
  }
}

TEST(SlotQuery, RefusesVersionsBefore13AndReadsNewerOnesAs18) {
  EXPECT_FALSE(build_slot_query(120015));
  EXPECT_EQ(build_slot_query(190000)->path, "18");
}

// Views with exactly version N's documented columns, over PostgreSQL 15's own; the columns 15
// lacks carry the values given.
struct Emulation {
  int number;
  std::string slot_columns;  // the select list over pg_catalog.pg_replication_slots
  bool slot_stats;
};

const std::string kColumns13 =
    "slot_name, plugin, slot_type, datoid, database, temporary, active, active_pid, xmin, "
    "catalog_xmin, restart_lsn, confirmed_flush_lsn, wal_status, safe_wal_size";
const Emulation kEmulations[] = {
    {130011, kColumns13, false},
    {140010, kColumns13 + ", two_phase", true},
    {160001, kColumns13 + ", two_phase, true AS conflicting", true},
    {170002,
     kColumns13 +
         ", two_phase, now() - interval '90 seconds' AS inactive_since, true AS conflicting, "
         "'rows_removed'::text AS invalidation_reason, true AS failover, false AS synced",
     true},
    {180000,
     kColumns13 +
         ", two_phase, NULL::pg_lsn AS two_phase_at, now() - interval '90 seconds' AS "
         "inactive_since, false AS conflicting, 'idle_timeout'::text AS invalidation_reason, "
         "false AS failover, true AS synced",
     true},
};

class SlotQueryOnEmulatedVersions : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pg_ = new testing::PostgresServer();
    pg_->exec("SELECT pg_create_logical_replication_slot('debezium', 'pgoutput')");
    pg_->exec(
        "CREATE ROLE as_pg12 LOGIN SUPERUSER; CREATE SCHEMA docs_pg12; ALTER ROLE as_pg12 SET "
        "search_path = docs_pg12, pg_catalog; CREATE FUNCTION docs_pg12.current_setting(text) "
        "RETURNS text LANGUAGE sql AS $$ SELECT '120015' $$");
    for (const Emulation& e : kEmulations) {
      std::string schema = "docs_pg" + std::to_string(e.number / 10000);
      std::string stats =
          e.slot_stats ? "CREATE VIEW " + schema +
                             ".pg_stat_replication_slots AS SELECT slot_name, spill_txns, "
                             "spill_count, spill_bytes, stream_txns, stream_count, stream_bytes, "
                             "total_txns, total_bytes, stats_reset FROM "
                             "pg_catalog.pg_stat_replication_slots;"
                       // Any read of a view 13 does not have fails.
                       : "CREATE VIEW " + schema +
                             ".pg_stat_replication_slots AS SELECT NULL::name AS slot_name "
                             "WHERE 1 / 0 = 1;";
      std::string role = "as_pg" + std::to_string(e.number / 10000);
      pg_->exec("CREATE ROLE " + role + " LOGIN SUPERUSER; ALTER ROLE " + role +
                " SET search_path = " + schema + ", pg_catalog");
      pg_->exec("CREATE SCHEMA " + schema + ";" + "CREATE FUNCTION " + schema +
                ".current_setting(text) RETURNS text LANGUAGE sql AS $$ SELECT CASE WHEN $1 = "
                "'server_version_num' THEN '" +
                std::to_string(e.number) + "' ELSE pg_catalog.current_setting($1) END $$;" +
                "CREATE VIEW " + schema + ".pg_replication_slots AS SELECT " + e.slot_columns +
                " FROM pg_catalog.pg_replication_slots;" + stats);
    }
  }
  static void TearDownTestSuite() { delete pg_; }

  // A probe whose sessions see version `number`'s views: its role's search_path puts them first
  // (a role setting, since the agent's connection sets `options` itself).
  static PgSourceConfig source_as(int number) {
    PgSourceConfig c;
    c.name = "orders";
    c.dsn = resolve_secrets(pg_->dsn("postgres", "as_pg" + std::to_string(number / 10000)));
    return c;
  }
  static testing::PostgresServer* pg_;
};
testing::PostgresServer* SlotQueryOnEmulatedVersions::pg_ = nullptr;

TEST_F(SlotQueryOnEmulatedVersions, EachVersionsQueryRunsAndDecodes) {
  for (const Emulation& e : kEmulations) {
    SCOPED_TRACE(e.number);
    PgConnection connection(source_as(e.number).dsn, PgOptions{});
    PgResult result = connection.query(build_slot_query(e.number)->sql, {"{}"});
    ASSERT_TRUE(result.ok()) << result.error;
    SourceRow source = decode_source(result);
    EXPECT_EQ(source.server_version_num, e.number);
    EXPECT_TRUE(source.wal_lsn_bytes);
    auto slots = decode_slots(result);
    ASSERT_EQ(slots.size(), 1u);
    const SlotRow& slot = slots[0];
    EXPECT_EQ(slot.slot_name, "debezium");
    EXPECT_EQ(slot.wal_status, "reserved");
    EXPECT_TRUE(slot.retained_bytes && slot.confirmed_flush_bytes && slot.restart_bytes);
    EXPECT_EQ(slot.spill_bytes.has_value(), e.number >= 140000) << "absent before 14, not 0";
    EXPECT_EQ(slot.conflicting.has_value(), e.number >= 160000);
    EXPECT_EQ(slot.failover.has_value(), e.number >= 170000);
    EXPECT_EQ(slot.inactive_since_seconds.has_value(), e.number >= 170000);
  }
}

TEST_F(SlotQueryOnEmulatedVersions, NewColumnsBecomeMetricsAndReasons) {
  auto decoded = [](int number) {
    PgConnection connection(source_as(number).dsn, PgOptions{});
    PgResult result = connection.query(build_slot_query(number)->sql, {"{}"});
    EXPECT_TRUE(result.ok()) << result.error;
    return decode_slots(result).at(0);
  };
  Labels labels{{"source", "orders"}, {"slot", "debezium"}};
  auto report = [&](const SlotRow& row) {
    Readings readings;
    nlohmann::json status;
    report_validity(row, {labels, readings, status});
    return readings;
  };
  Readings v13 = report(decoded(130011));
  EXPECT_FALSE(v13.family("cdcwatch_pg_slot_conflicting")) << "13 does not know: absent";
  EXPECT_EQ(v13.value("cdcwatch_pg_slot_invalidated",
                      {{"source", "orders"}, {"slot", "debezium"}, {"reason", "none"}}),
            0);
  Readings v16 = report(decoded(160001));
  EXPECT_EQ(v16.value("cdcwatch_pg_slot_conflicting", labels), 1);
  EXPECT_EQ(v16.value("cdcwatch_pg_slot_invalidated",
                      {{"source", "orders"}, {"slot", "debezium"}, {"reason", "conflict"}}),
            1);
  Readings v17 = report(decoded(170002));
  EXPECT_EQ(v17.value("cdcwatch_pg_slot_invalidated",
                      {{"source", "orders"}, {"slot", "debezium"}, {"reason", "rows_removed"}}),
            1);
  EXPECT_EQ(v17.value("cdcwatch_pg_slot_failover", labels), 1);
  EXPECT_EQ(v17.value("cdcwatch_pg_slot_synced", labels), 0);
  std::vector<AlertRule> invalidated_rule;
  for (const AlertRule& rule : default_rules()) {
    if (rule.alert == "CdcSlotInvalidated") invalidated_rule.push_back(rule);
  }
  AlertEvaluator evaluator(invalidated_rule, EvaluatorOptions{});
  ReadingsStore store;
  store.publish("pg_slots/orders", v17);
  auto pages = evaluator.evaluate(store, FakeClock().now(), true);
  ASSERT_EQ(pages.size(), 1u) << "the shipped rule pages an invalidated slot";
  EXPECT_EQ(pages[0].severity, "critical");
  EXPECT_NE(pages[0].summary.find("(rows_removed)"), std::string::npos) << pages[0].summary;
  Readings v18 = report(decoded(180000));
  EXPECT_EQ(v18.value("cdcwatch_pg_slot_invalidated",
                      {{"source", "orders"}, {"slot", "debezium"}, {"reason", "idle_timeout"}}),
            1);
  EXPECT_EQ(v18.value("cdcwatch_pg_slot_synced", labels), 1);
}

TEST_F(SlotQueryOnEmulatedVersions, TheProbeChoosesThePathAndOn17TakesInactiveSinceFromTheServer) {
  auto first_cycle = [](const PgSourceConfig& c) {
    PgSlotsProbe probe(c, 1s);
    FakeClock clock;
    ReadingsStore none;
    return probe.collect(CollectContext{clock.now() + 5s, clock, none});
  };
  Labels slot{{"source", "orders"}, {"slot", "debezium"}};
  PgSourceConfig real;
  real.name = "orders";
  real.dsn = resolve_secrets(pg_->dsn());
  CollectOutcome on15 = first_cycle(real);
  ASSERT_TRUE(on15.ok()) << on15.error_message;
  EXPECT_EQ(on15.status["version_path"], "14-15");
  EXPECT_EQ(on15.readings.value("cdcwatch_pg_slot_inactive_seconds", slot), 0)
      << "first sighting, before 17";
  CollectOutcome on13 = first_cycle(source_as(130011));
  ASSERT_TRUE(on13.ok()) << on13.error_message;
  EXPECT_EQ(on13.status["version_path"], "13");
  EXPECT_EQ(on13.status["server_version_num"], 130011);
  EXPECT_FALSE(on13.readings.family("cdcwatch_pg_slot_spilled_bytes_total"));
  CollectOutcome on17 = first_cycle(source_as(170002));
  ASSERT_TRUE(on17.ok()) << on17.error_message;
  EXPECT_EQ(on17.status["version_path"], "17");
  EXPECT_NEAR(on17.readings.value("cdcwatch_pg_slot_inactive_seconds", slot).value_or(-1), 90, 5)
      << "from inactive_since, not from when cdcwatch first looked";
}

TEST_F(SlotQueryOnEmulatedVersions, A12ServerIsRefusedWithAMessageThatSaysWhy) {
  PgSlotsProbe probe(source_as(120015), 1s);
  FakeClock clock;
  ReadingsStore none;
  CollectOutcome o = probe.collect(CollectContext{clock.now() + 5s, clock, none});
  EXPECT_EQ(o.error_reason, "unsupported_version");
  EXPECT_NE(o.error_message.find("120015 is older than 13"), std::string::npos) << o.error_message;
  EXPECT_EQ(o.readings.value("cdcwatch_pg_up", {{"source", "orders"}}), 0);
}

}  // namespace
}  // namespace cdcwatch
