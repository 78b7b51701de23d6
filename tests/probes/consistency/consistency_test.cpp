// Consistency checks against a real PostgreSQL as source and as a Postgres-protocol warehouse,
// and the Snowflake path against the local SQL API server.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "agent/app/config.h"
#include "agent/core/readings_store.h"
#include "probes/consistency/column_types.h"
#include "probes/consistency/consistency_probe.h"
#include "tests/support/postgres_server.h"
#include "tests/support/snowflake_server.h"

namespace cdcwatch {
namespace {

using namespace std::chrono_literals;

struct ConsistencyTest : ::testing::Test {
  static void SetUpTestSuite() {
    pg = new testing::PostgresServer();
    pg->exec("CREATE DATABASE warehouse");
  }
  static void TearDownTestSuite() { delete pg; }
  void SetUp() override {
    pg->exec("DROP TABLE IF EXISTS public.orders");
    pg->exec("DROP SCHEMA IF EXISTS analytics CASCADE; CREATE SCHEMA analytics", "warehouse");
  }
  std::unique_ptr<SqlSide> source() { return make_postgres_side(secret(pg->dsn()), Millis(5000)); }
  std::unique_ptr<SqlSide> warehouse() {
    return make_postgres_side(secret(pg->dsn("warehouse")), Millis(5000));
  }
  static SecretString secret(const std::string& dsn) { return {dsn, dsn}; }
  ConsistencyConfig config(std::set<std::string> checks) {
    ConsistencyConfig c;
    c.name = "orders";
    c.warehouse = "analytics";
    c.settle = Millis(600000);
    c.tables = {TableCheckConfig{
        "public.orders", "analytics.orders", {"id"}, "updated_at", Millis(86400000), checks}};
    return c;
  }
  CollectOutcome run(ConsistencyProbe& probe) {
    return probe.collect({clock.now() + 30s, clock, store});
  }
  static Labels labels(Labels extra = {}) {
    Labels out = {{"check", "orders"},
                  {"table", "public.orders"},
                  {"warehouse", "analytics"},
                  {"warehouse_table", "analytics.orders"}};
    out.insert(out.end(), extra.begin(), extra.end());
    return out;
  }

  static testing::PostgresServer* pg;
  SystemClock clock;
  ReadingsStore store;
};
testing::PostgresServer* ConsistencyTest::pg = nullptr;

TEST_F(ConsistencyTest, SchemaDriftNamesEachColumnAndKind) {
  pg->exec(
      "CREATE TABLE public.orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, total "
      "numeric(10,2) NOT NULL,"
      " status text, note text, placed_at timestamptz NOT NULL, updated_at timestamptz NOT NULL)");
  // As a sink left it: customer_id nullable (the case study's NOT NULL gotcha), status retyped,
  // note missing, an extra legacy column, Debezium's __deleted, and placed_at as an ISO string.
  pg->exec(
      "CREATE TABLE analytics.orders (id bigint NOT NULL, customer_id bigint, total numeric(10,2) "
      "NOT NULL,"
      " status integer, legacy text, placed_at text NOT NULL, updated_at timestamptz NOT NULL, "
      "__deleted text)",
      "warehouse");
  ConsistencyProbe probe(config({"schema"}), source(), warehouse());
  auto outcome = run(probe);
  ASSERT_TRUE(outcome.ok()) << outcome.error_message;
  const Readings& r = outcome.readings;
  EXPECT_EQ(r.value("cdcwatch_schema_drift",
                    labels({{"column", "customer_id"}, {"kind", "nullability_mismatch"}})),
            1);
  EXPECT_EQ(
      r.value("cdcwatch_schema_drift", labels({{"column", "status"}, {"kind", "type_mismatch"}})),
      1);
  EXPECT_EQ(
      r.value("cdcwatch_schema_drift", labels({{"column", "note"}, {"kind", "missing_in_target"}})),
      1);
  EXPECT_EQ(
      r.value("cdcwatch_schema_drift", labels({{"column", "legacy"}, {"kind", "extra_in_target"}})),
      1);
  EXPECT_EQ(r.value("cdcwatch_schema_drift_columns", labels()), 4)
      << "placed_at as Debezium's ZonedTimestamp string and the sink's __deleted are not drift: "
      << outcome.status.dump();
  EXPECT_EQ(r.family("cdcwatch_schema_drift")->series.size(), 4u);
  EXPECT_TRUE(r.value("cdcwatch_consistency_query_seconds", labels({{"side", "target"}})));
}

TEST_F(ConsistencyTest, DuplicateKeysAndRowCountsInTheSettledWindow) {
  const char* ddl = "CREATE TABLE %s (id bigint, amount int, updated_at timestamptz NOT NULL)";
  char buffer[200];
  std::snprintf(buffer, sizeof buffer, ddl, "public.orders");
  pg->exec(buffer);
  std::snprintf(buffer, sizeof buffer, ddl, "analytics.orders");
  pg->exec(buffer, "warehouse");
  // 100 settled rows at the source; the warehouse lost row 7, still has row 200 that the source
  // deleted, and holds rows 3 and 4 twice (a replay).
  pg->exec(
      "INSERT INTO public.orders SELECT g, g, now() - interval '1 hour' FROM generate_series(1, "
      "100) g");
  pg->exec(
      "INSERT INTO analytics.orders SELECT g, g, now() - interval '1 hour' FROM generate_series(1, "
      "100) g WHERE g <> 7;"
      "INSERT INTO analytics.orders VALUES (200, 1, now() - interval '1 hour');"
      "INSERT INTO analytics.orders SELECT g, g, now() - interval '1 hour' FROM generate_series(3, "
      "4) g",
      "warehouse");
  // Changed a minute ago: still in flight, so outside the settled window on both sides.
  pg->exec(
      "INSERT INTO public.orders SELECT g, g, now() - interval '1 minute' FROM "
      "generate_series(101, 150) g");
  ConsistencyProbe probe(config({"duplicates", "row_count"}), source(), warehouse());
  auto outcome = run(probe);
  ASSERT_TRUE(outcome.ok()) << outcome.error_message;
  const Readings& r = outcome.readings;
  EXPECT_EQ(r.value("cdcwatch_warehouse_duplicate_keys", labels()), 2);
  EXPECT_EQ(r.value("cdcwatch_reconcile_source_rows", labels()), 100)
      << "the last settle (10m) is not counted";
  EXPECT_EQ(r.value("cdcwatch_reconcile_target_rows", labels()), 99 + 1 + 2);
  EXPECT_DOUBLE_EQ(*r.value("cdcwatch_reconcile_difference_ratio", labels()), 0.02);
}

TEST_F(ConsistencyTest, AMissingTargetTableIsAnErrorThatSaysSo) {
  pg->exec("CREATE TABLE public.orders (id bigint, updated_at timestamptz)");
  ConsistencyProbe probe(config({"schema", "row_count"}), source(), warehouse());
  auto outcome = run(probe);
  EXPECT_FALSE(outcome.ok());
  EXPECT_NE(outcome.error_message.find("target table analytics.orders not found"),
            std::string::npos)
      << outcome.error_message;
  EXPECT_EQ(outcome.readings.family("cdcwatch_schema_drift_columns"), nullptr);
}

TEST(ConsistencySnowflake, InformationSchemaAndCountsThroughTheSqlApi) {
  auto keys = testing::generate_rsa_key_pair();
  std::string key_path =
      ::testing::TempDir() + "/consistency_key_" + std::to_string(::getpid()) + ".p8";
  std::ofstream(key_path) << keys.private_pem;
  std::filesystem::permissions(
      key_path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  testing::SnowflakeServer snowflake(keys.public_pem, "MYORG-MYACCOUNT", "CDCWATCH",
                                     "ANALYTICS.ORDERS_CDC.CDCWATCH_CANARY");
  snowflake.on_statement([](const std::string& statement, const std::vector<std::string>& bindings)
                             -> std::optional<testing::SnowflakeServer::Cells> {
    if (statement.find("ANALYTICS.INFORMATION_SCHEMA.COLUMNS") != std::string::npos) {
      if (bindings != std::vector<std::string>{"ORDERS_CDC", "ORDERS"})
        return testing::SnowflakeServer::Cells{};
      return testing::SnowflakeServer::Cells{{"ID", "NUMBER", "NO", "0"},
                                             {"CUSTOMER_ID", "NUMBER", "YES", "0"},
                                             {"UPDATED_AT", "TIMESTAMP_TZ", "NO", std::nullopt},
                                             {"RECORD_METADATA", "VARIANT", "YES", std::nullopt}};
    }
    if (statement.find("HAVING count(*) > 1") != std::string::npos)
      return testing::SnowflakeServer::Cells{{"3"}};
    if (statement.find(
            "SELECT count(*) FROM ANALYTICS.ORDERS_CDC.ORDERS WHERE TO_TIMESTAMP_TZ(updated_at)") ==
            0 &&
        bindings.size() == 2) {
      return testing::SnowflakeServer::Cells{{"5"}};
    }
    return std::nullopt;
  });
  snowflake.start();
  testing::PostgresServer pg;
  pg.exec(
      "CREATE TABLE public.orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, updated_at "
      "timestamptz NOT NULL);"
      "INSERT INTO public.orders SELECT g, g, now() - interval '1 hour' FROM generate_series(1, 4) "
      "g");
  WarehouseConfig warehouse;
  warehouse.name = "analytics";
  warehouse.snowflake = SnowflakeConfig{.account = "myorg-myaccount",
                                        .user = "cdcwatch",
                                        .private_key_file = key_path,
                                        .url = snowflake.url()};
  ConsistencyConfig c;
  c.name = "orders";
  c.warehouse = "analytics";
  c.tables = {TableCheckConfig{"public.orders",
                               "ANALYTICS.ORDERS_CDC.ORDERS",
                               {"id"},
                               "updated_at",
                               Millis(86400000),
                               {"schema", "duplicates", "row_count"}}};
  ConsistencyProbe probe(c, make_postgres_side({pg.dsn(), pg.dsn()}, Millis(5000)),
                         make_warehouse_side(warehouse, Millis(5000)));
  SystemClock clock;
  ReadingsStore store;
  auto outcome = probe.collect({clock.now() + 30s, clock, store});
  ASSERT_TRUE(outcome.ok()) << outcome.error_message;
  Labels table = {{"check", "orders"},
                  {"table", "public.orders"},
                  {"warehouse", "analytics"},
                  {"warehouse_table", "ANALYTICS.ORDERS_CDC.ORDERS"}};
  Labels drifted = table;
  drifted.insert(drifted.end(), {{"column", "customer_id"}, {"kind", "nullability_mismatch"}});
  EXPECT_EQ(outcome.readings.value("cdcwatch_schema_drift", drifted), 1);
  EXPECT_EQ(outcome.readings.value("cdcwatch_schema_drift_columns", table), 1)
      << "RECORD_METADATA is the sink's";
  EXPECT_EQ(outcome.readings.value("cdcwatch_warehouse_duplicate_keys", table), 3);
  EXPECT_EQ(outcome.readings.value("cdcwatch_reconcile_source_rows", table), 4);
  EXPECT_EQ(outcome.readings.value("cdcwatch_reconcile_target_rows", table), 5);
  EXPECT_DOUBLE_EQ(*outcome.readings.value("cdcwatch_reconcile_difference_ratio", table), 0.25);
  std::remove(key_path.c_str());
}

TEST(ColumnTypes, DebeziumToSinkMappingsAreCompatibleAndRealChangesAreNot) {
  EXPECT_EQ(type_family("NUMBER", 0), "integer");
  EXPECT_EQ(type_family("NUMBER", 2), "numeric");
  EXPECT_EQ(type_family("timestamp with time zone", std::nullopt), "timestamptz");
  EXPECT_TRUE(compatible_target_families("timestamptz").count(type_family("TEXT", std::nullopt)))
      << "ZonedTimestamp arrives as a string";
  EXPECT_TRUE(compatible_target_families("timestamp").count(type_family("NUMBER", 0)))
      << "MicroTimestamp";
  EXPECT_FALSE(compatible_target_families("text").count(type_family("NUMBER", 0)));
  EXPECT_FALSE(compatible_target_families("boolean").count(type_family("TEXT", std::nullopt)));
}

TEST(ConsistencySection, ReferencesAndMistakes) {
  auto error_of = [](const std::string& text) {
    try {
      parse_config(ConfigNode::load_string(text, "cdcwatch.yml"));
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  std::string base =
      "postgres:\n  - name: orders\n    dsn: host=db\nwarehouses:\n  - name: analytics\n"
      "    postgres: {dsn: host=wh}\n";
  EXPECT_EQ(
      error_of(
          base +
          "consistency:\n  - name: orders\n    postgres: orders\n    warehouse: analytics\n"
          "    tables:\n      - {source: public.orders, target: analytics.orders, key: [id]}\n"),
      "");
  EXPECT_NE(
      error_of(
          base +
          "consistency:\n  - name: o\n    postgres: orders\n    warehouse: nope\n"
          "    tables:\n      - {source: public.orders, target: analytics.orders, key: [id]}\n")
          .find("no warehouses entry named 'nope'"),
      std::string::npos);
  EXPECT_NE(
      error_of(base + "consistency:\n  - name: o\n    postgres: orders\n    warehouse: analytics\n"
                      "    tables:\n      - {source: public.orders, target: analytics.orders}\n")
          .find("needs key:"),
      std::string::npos);
  EXPECT_NE(
      error_of(base + "consistency:\n  - name: o\n    postgres: orders\n    warehouse: analytics\n"
                      "    tables:\n      - {source: public.orders, target: analytics.orders, key: "
                      "[id], checks: [vibes]}\n")
          .find("unknown check 'vibes'"),
      std::string::npos);
}

}  // namespace
}  // namespace cdcwatch
