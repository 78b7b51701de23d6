// Server-side cost of the slot probe's one query per cycle, measured by PostgreSQL itself with
// pg_stat_statements, on a real PostgreSQL 15 with several logical slots.
// Usage: pg_slots_query_bench [cycles] [slots] [explain]
// With `explain`, also prints the server's EXPLAIN ANALYZE of one cycle's statement.
#include <cstdio>
#include <string>

#include "agent/core/clock.h"
#include "agent/core/readings_store.h"
#include "probes/pg_slots/pg_slots_probe.h"
#include "probes/pg_slots/slot_query.h"
#include "tests/support/postgres_server.h"

int main(int argc, char** argv) {
  using namespace cdcwatch;
  int cycles = argc > 1 ? std::stoi(argv[1]) : 500;
  int slots = argc > 2 ? std::stoi(argv[2]) : 5;
  testing::PostgresServer pg(
      {.extra_conf = {"pg_stat_statements.track_planning = on"}, .pg_stat_statements = true});
  pg.exec("CREATE EXTENSION pg_stat_statements");
  pg.exec("CREATE TABLE t (pad text)");
  for (int i = 0; i < slots; ++i) {
    pg.exec("SELECT pg_create_logical_replication_slot('slot_" + std::to_string(i) +
            "', 'pgoutput')");
  }
  pg.exec("INSERT INTO t SELECT repeat('x', 200) FROM generate_series(1, 20000)");
  pg.exec("SELECT pg_stat_statements_reset()");

  PgSourceConfig config;
  config.name = "bench";
  config.dsn = resolve_secrets(pg.dsn());
  PgSlotsProbe probe(config, Millis(1000));
  SystemClock clock;
  ReadingsStore none;
  for (int i = 0; i < cycles; ++i) {
    CollectOutcome outcome =
        probe.collect(CollectContext{clock.now() + std::chrono::seconds(5), clock, none});
    if (!outcome.ok()) {
      std::fprintf(stderr, "cycle failed: %s\n", outcome.error_message.c_str());
      return 1;
    }
  }
  std::string where =
      "FROM pg_stat_statements WHERE query LIKE '%pg_replication_slots%' AND query NOT LIKE "
      "'%pg_stat_statements%'";
  std::string calls = pg.query_value("SELECT sum(calls) " + where);
  std::string mean =
      pg.query_value("SELECT round((sum(total_exec_time) / sum(calls))::numeric, 4) " + where);
  std::string plan =
      pg.query_value("SELECT round((sum(total_plan_time) / sum(calls))::numeric, 4) " + where);
  std::string max = pg.query_value("SELECT round(max(max_exec_time)::numeric, 4) " + where);
  std::string blocks =
      pg.query_value("SELECT sum(shared_blks_hit + shared_blks_read) / sum(calls) " + where);
  std::printf(
      "| slots | cycles | calls seen | mean server time (ms) | max (ms) | mean planning (ms) | "
      "shared blocks per call |\n");
  std::printf("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
  std::printf("| %d | %d | %s | %s | %s | %s | %s |\n", slots, cycles, calls.c_str(), mean.c_str(),
              max.c_str(), plan.c_str(), blocks.c_str());
  if (argc > 3 && std::string(argv[3]) == "explain") {
    PgConnection connection(config.dsn, PgOptions{});
    auto version = std::stoi(pg.query_value("SHOW server_version_num"));
    PgResult plan = connection.query("EXPLAIN (ANALYZE, BUFFERS) " + build_slot_query(version)->sql,
                                     {text_array_literal({})});
    for (const auto& row : plan.rows) std::printf("%s\n", row[0].value_or("").c_str());
    if (!plan.ok()) std::fprintf(stderr, "%s\n", plan.error.c_str());
  }
  return 0;
}
