// Every cdcwatch_ metric the runbooks and dashboards name is one a running agent exports. The
// agent here watches a whole local pipeline: PostgreSQL 15 with a logical slot, the canary and a
// Postgres-protocol warehouse, librdkafka's mock cluster with a sink group and the canary topic
// (fed by a stand-in for Debezium) with the group shim in front for discover_groups, a Kafka
// Connect worker API (and one that is down, for the error series), and PagerDuty.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "agent/app/agent.h"
#include "agent/app/config.h"
#include "tests/support/child_process.h"
#include "tests/support/connect_server.h"
#include "tests/support/eventually.h"
#include "tests/support/kafka_group_shim.h"
#include "tests/support/kafka_mock_cluster.h"
#include "tests/support/pagerduty_server.h"
#include "tests/support/postgres_server.h"
#include "tests/support/snowflake_server.h"

namespace cdcwatch {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::set<std::string> exported_names(const std::string& metrics_text) {
  std::set<std::string> names;
  static const std::regex type_line(R"(# TYPE (\S+) (\S+))");
  std::istringstream lines(metrics_text);
  for (std::string line; std::getline(lines, line);) {
    std::smatch match;
    if (std::regex_match(line, match, type_line)) {
      names.insert(match[1]);
      if (match[2] == "histogram") {
        for (const char* suffix : {"_bucket", "_sum", "_count"})
          names.insert(match[1].str() + suffix);
      }
    }
  }
  return names;
}

std::map<std::string, std::string> named_in_docs() {  // metric -> first file naming it
  std::map<std::string, std::string> named;
  std::regex metric(R"(cdcwatch_[a-z0-9_]*[a-z0-9])");
  for (const char* dir : {"runbooks", "dashboards"}) {
    for (const auto& entry : fs::directory_iterator(fs::path(CDCWATCH_SOURCE_DIR) / dir)) {
      auto ext = entry.path().extension();
      if (ext != ".md" && ext != ".json") continue;
      std::ifstream file(entry.path());
      std::stringstream text;
      text << file.rdbuf();
      std::string body = text.str();
      for (std::sregex_iterator it(body.begin(), body.end(), metric), end; it != end; ++it) {
        if (it->str() == "cdcwatch_canary") continue;  // the canary's table, not a metric
        named.emplace(it->str(), entry.path().filename().string());
      }
    }
  }
  return named;
}

TEST(ExportedMetrics, EveryMetricTheRunbooksAndDashboardsNameIsExported) {
  testing::PostgresServer pg({.extra_conf = {"max_slot_wal_keep_size = 1GB"}});
  pg.exec("SELECT pg_create_logical_replication_slot('debezium', 'pgoutput')");
  pg.exec(
      "CREATE TABLE public.cdcwatch_canary (agent_id text PRIMARY KEY, seq bigint NOT NULL, "
      "written_at timestamptz NOT NULL)");
  // For the consistency check: a warehouse copy that lost a NOT NULL (schema drift series).
  pg.exec("CREATE DATABASE warehouse");
  pg.exec(
      "CREATE TABLE public.orders (id bigint PRIMARY KEY, note text NOT NULL, updated_at "
      "timestamptz NOT NULL)");
  pg.exec("CREATE TABLE public.orders (id bigint, note text, updated_at timestamptz NOT NULL)",
          "warehouse");
  std::string wal_lsn = pg.query_value("SELECT (pg_current_wal_lsn() - '0/0')::bigint");

  testing::KafkaMockCluster kafka{1};
  kafka.create_topic("orders.public.orders", 2);
  kafka.create_topic("orders.public.cdcwatch_canary", 1);
  for (int i = 0; i < 6; ++i) kafka.produce("orders.public.orders", i % 2, "k", "v");
  kafka.commit("connect-snowflake-sink", "orders.public.orders", 0, 1);
  // The lag probe lists groups through the shim (discover_groups; the mock has no ListGroups).
  testing::KafkaGroupShim shim{kafka.bootstrap()};
  shim.register_group("connect-new-sink", "consumer", {{"orders.public.orders", {0, 1}}});

  testing::ConnectServer connect;
  connect.put("orders-postgres-source",
              {.type = "source",
               .config = {{"connector.class", "io.debezium.connector.postgresql.PostgresConnector"},
                          {"slot.name", "debezium"},
                          {"database.dbname", "postgres"},
                          {"topic.prefix", "orders"}},
               .offsets = {{{"partition", {{"server", "orders"}}},
                            {"offset", {{"lsn", std::stoll(wal_lsn)}}}}}});
  connect.put("snowflake-sink",
              {.type = "sink",
               .task_states = {"RUNNING", "FAILED"},
               .config = {{"topics", "orders.public.orders"},
                          {"snowflake.topic2table.map", "orders.public.orders:ORDERS"}},
               .offsets = {{{"partition",
                             {{"kafka_topic", "orders.public.orders"}, {"kafka_partition", 0}}},
                            {"offset", {{"kafka_offset", 1}}}}}});
  connect.start();
  testing::PagerDutyServer pagerduty;
  pagerduty.start();
  // The sink-truth probes' Snowflake: the sink's channels, and its pipes for the file-based view.
  auto keys = testing::generate_rsa_key_pair();
  testing::TempDir key_dir;
  std::string key_path = key_dir.path() + "/snowflake.p8";
  std::ofstream(key_path) << keys.private_pem;
  fs::permissions(key_path, fs::perms::owner_read | fs::perms::owner_write);
  testing::SnowflakeServer snowflake(keys.public_pem, "MYORG-MYACCOUNT", "CDCWATCH",
                                     "ANALYTICS.PUBLIC.CANARY");
  snowflake.on_channels([] {
    return std::vector<testing::SnowflakeServer::Channel>{
        {"ORDERS.PUBLIC.ORDERS_0", "ANALYTICS", "PUBLIC", "ORDERS", "0"},
        {"ORDERS.PUBLIC.ORDERS_1", "ANALYTICS", "PUBLIC", "ORDERS", "2"}};
  });
  for (int p = 0; p < 2; ++p) {
    snowflake.set_pipe("ANALYTICS.PUBLIC.SNOWFLAKE_KAFKA_CONNECTOR_snowflake-sink_PIPE_ORDERS_" +
                           std::to_string(p),
                       {.pending_files = 2, .last_ingested_timestamp = "2026-01-01T00:00:00.000Z"});
  }
  snowflake.start();

  testing::TempDir state;
  Config config = parse_config(ConfigNode::load_string(
      "agent:\n  state_dir: " + state.path() +
          "\n  listen: 127.0.0.1:0\n  interval: 1s\n"
          "postgres:\n  - name: orders\n    dsn: \"" +
          pg.dsn() +
          "\"\n    wal_budget: 1GiB\n    growth_window: 5s\n"
          "kafka:\n  - name: msk\n    bootstrap_servers: \"" +
          shim.bootstrap() +
          "\"\n    discover_groups: [\"connect-*\"]\n"
          // Exports the canary's registry error counter; the JSON events never ask it.
          "    schema_registry: {url: \"http://127.0.0.1:" +
          std::to_string(testing::free_tcp_port()) +
          "\"}\n"
          "connect:\n  - name: connect\n    url: " +
          connect.url() +
          "\n    kafka: msk\n"
          "  - name: unreachable\n    url: http://127.0.0.1:" +
          std::to_string(testing::free_tcp_port()) +
          "\n"
          "canaries:\n  - name: orders\n    postgres: orders\n    interval: 1s\n"
          "    agent_id: agent-1\n    kafka: msk\n    topic: orders.public.cdcwatch_canary\n"
          "    warehouse:\n      postgres:\n        dsn: \"" +
          pg.dsn() +
          "\"\n        table: public.cdcwatch_canary\n"
          "      poll_interval: 1s\n"
          "warehouses:\n  - name: analytics\n    postgres: {dsn: \"" +
          pg.dsn("warehouse") +
          "\"}\n"
          "  - name: sf\n    snowflake: {account: myorg-myaccount, user: cdcwatch, "
          "private_key_file: " +
          key_path + ", url: \"" + snowflake.url() +
          "\"}\n"
          "sinks:\n  - {name: orders-streaming, connector: snowflake-sink, kafka: msk, warehouse: "
          "sf, schema: ANALYTICS.PUBLIC, interval: 1s}\n"
          "  - {name: orders-files, connector: snowflake-sink, kafka: msk, warehouse: sf, "
          "ingestion: snowpipe, schema: ANALYTICS.PUBLIC, connect: connect, interval: 1s}\n"
          "consistency:\n  - name: orders\n    postgres: orders\n    warehouse: analytics\n    "
          "interval: 1s\n"
          "    tables:\n      - {source: public.orders, target: public.orders, key: [id], "
          "updated_at: updated_at}\n"
          "notifiers:\n  pagerduty:\n    routing_key: R0UTINGKEY00000000000000000000000\n    "
          "url: " +
          pagerduty.url() + "\n",
      "test.yml"));
  SystemClock clock;
  Agent agent(config, clock);
  agent.start();

  auto named = named_in_docs();
  ASSERT_GT(named.size(), 40u) << "the docs should name most metrics";
  std::set<std::string> exported;
  int64_t produced = 0;
  testing::eventually(
      [&] {
        // A stand-in for Debezium: each new canary row becomes a change event on the topic.
        std::string seq =
            pg.query_value("SELECT seq FROM public.cdcwatch_canary WHERE agent_id = 'agent-1'");
        for (int64_t s = produced + 1; !seq.empty() && s <= std::stoll(seq) + 1; ++s) {
          int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
          nlohmann::json event = {
              {"before", nullptr},
              {"after",
               {{"agent_id", "agent-1"}, {"seq", s}, {"written_at", "2026-11-25T21:47:23Z"}}},
              {"source", {{"ts_ms", now_ms - 300}}},
              {"op", "u"},
              {"ts_ms", now_ms - 100}};
          kafka.produce("orders.public.cdcwatch_canary", 0, "k", event.dump(), now_ms);
          produced = s;
        }
        pg.exec(
            "INSERT INTO public.cdcwatch_canary VALUES ('wal-filler', 0, now()) ON CONFLICT "
            "(agent_id) "
            "DO UPDATE SET seq = cdcwatch_canary.seq + 1");
        exported = exported_names(agent.metrics_text());
        for (const auto& [metric, file] : named) {
          if (!exported.count(metric)) return false;
        }
        return true;
      },
      60s);
  agent.stop();

  for (const auto& [metric, file] : named) {
    EXPECT_TRUE(exported.count(metric))
        << file << " names " << metric << ", which the agent does not export";
  }
}

}  // namespace
}  // namespace cdcwatch
