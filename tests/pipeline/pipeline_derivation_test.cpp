// Pipelines derived from recorded connector configs (data/README.md cites the vendors' docs) as
// the Connect probe reports them from a worker's REST API, through the readings store (#16).
#include "agent/pipeline/pipeline_derivation.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "agent/core/readings_store.h"
#include "agent/pipeline/pipeline_stage.h"
#include "agent/pipeline/topic_match.h"
#include "probes/connect/connect_probe.h"
#include "probes/pg_slots/slot_metrics.h"
#include "tests/support/connect_server.h"

namespace cdcwatch {
namespace {

using namespace std::chrono_literals;

nlohmann::json recorded_connectors() {
  std::ifstream file(std::string(CDCWATCH_SOURCE_DIR) +
                     "/tests/pipeline/data/connectors_expand_info.json");
  return nlohmann::json::parse(file);
}

struct DerivationTest : ::testing::Test {
  DerivationTest() {
    nlohmann::json recorded = recorded_connectors();
    for (const auto& [name, answer] : recorded.items()) {
      worker.put(name, {.type = answer["info"]["type"].get<std::string>(),
                        .config = answer["info"]["config"]});
    }
    worker.start();
    ConnectConfig config;
    config.name = "main";
    config.url = worker.url();
    ConnectProbe probe(config, nullptr, Millis(15000));
    auto outcome = probe.collect({clock.now() + 5s, clock, store});
    EXPECT_TRUE(outcome.ok()) << outcome.error_message;
    store.publish(probe.name(), outcome.readings);
    setup.postgres = {"fulfillment-db", "inventory", "billing"};
    setup.connect_kafka["main"] = "msk";
    setup.canaries = {{"fulfillment-canary", "fulfillment-db", "snowflake"}};
  }
  const PipelineDef* find(const std::vector<PipelineDef>& pipelines, const std::string& name) {
    for (const auto& p : pipelines) {
      if (p.name == name) return &p;
    }
    return nullptr;
  }

  testing::ConnectServer worker;
  FakeClock clock{TimePoint(std::chrono::seconds(1'795'643'243))};
  ReadingsStore store;
  DerivationSetup setup;
  SlotSightings slots = {{{"debezium", "inventory"}, "inventory"}};
};

TEST_F(DerivationTest, EachDebeziumSourceAndTheSinkReadingItsTopicsFormAPipeline) {
  auto pipelines = derive_pipelines(read_connectors(store, "main"), slots, setup);
  ASSERT_EQ(pipelines.size(), 2u) << "the S3 sink of clickstream belongs to no pipeline";

  const PipelineDef* fulfillment = find(pipelines, "fulfillment");
  ASSERT_NE(fulfillment, nullptr);
  EXPECT_EQ(fulfillment->postgres, "fulfillment-db") << "database.hostname's first label";
  EXPECT_EQ(fulfillment->slot, "fulfillment_slot");
  EXPECT_EQ(fulfillment->database, "postgres");
  EXPECT_EQ(fulfillment->capture->connector, "fulfillment-connector");
  EXPECT_EQ(fulfillment->topics, (std::vector<std::string>{"fulfillment.public.inventory",
                                                           "fulfillment.public.orders"}));
  EXPECT_EQ(fulfillment->sink->connector, "fulfillment-snowflake") << "by its topics list";
  EXPECT_EQ(fulfillment->kafka, "msk");
  EXPECT_EQ(fulfillment->canary, "fulfillment-canary");
  EXPECT_EQ(fulfillment->warehouse, "snowflake");
  EXPECT_EQ(fulfillment->tables,
            (std::vector<std::string>{"ANALYTICS.PUBLIC.INVENTORY", "ANALYTICS.PUBLIC.ORDERS"}))
      << "from the Snowflake sink's snowflake.topic2table.map";
  EXPECT_NE(fulfillment->formed.find("named as database.hostname fulfillment-db.prod.internal"),
            std::string::npos)
      << fulfillment->formed;

  const PipelineDef* inventory = find(pipelines, "dbserver1");
  ASSERT_NE(inventory, nullptr) << "Debezium 1.x: database.server.name is the topic prefix";
  EXPECT_EQ(inventory->postgres, "inventory") << "the entry whose slot probe reports the slot";
  EXPECT_EQ(inventory->slot, "debezium") << "Debezium's default slot.name";
  EXPECT_EQ(inventory->topics, std::vector<std::string>{"dbserver1.inventory.*"});
  EXPECT_EQ(inventory->sink->connector, "dbserver1-snowflake") << "by its topics.regex";
  EXPECT_FALSE(inventory->canary);
  EXPECT_TRUE(inventory->tables.empty()) << "no topic2table map: the tables are not known";
  EXPECT_NE(inventory->formed.find("postgres inventory reports slot debezium"), std::string::npos)
      << inventory->formed;
}

TEST_F(DerivationTest, ASourceNoPostgresEntryMatchesSaysHowToDeclareIt) {
  auto pipelines = derive_pipelines(read_connectors(store, "main"), {}, setup);
  const PipelineDef* inventory = find(pipelines, "dbserver1");
  ASSERT_NE(inventory, nullptr);
  EXPECT_FALSE(inventory->postgres);
  EXPECT_NE(inventory->formed.find("declare it under pipelines:"), std::string::npos)
      << inventory->formed;
}

// Fails on the code before: an agent whose first start falls in dbserver1's PostgreSQL outage
// never saw the slot, so the pipeline had no source and the outage paged outside it.
TEST_F(DerivationTest, AnEntryConnectingToTheConnectorsHostAndPortIsTheSourceBeforeItAnswers) {
  setup.postgres_addresses["billing"] = {"10.1.2.3:6432"};
  setup.postgres_addresses["inventory"] = {"pg-replica:5432", "10.1.2.3:5432"};
  auto pipelines = derive_pipelines(read_connectors(store, "main"), {}, setup);
  const PipelineDef* inventory = find(pipelines, "dbserver1");
  ASSERT_NE(inventory, nullptr);
  EXPECT_EQ(inventory->postgres, "inventory") << "10.1.2.3:6432 is another server";
  EXPECT_NE(inventory->formed.find("postgres inventory connects to database.hostname:port "
                                   "10.1.2.3:5432"),
            std::string::npos)
      << inventory->formed;

  SlotSightings seen_elsewhere = {{{"debezium", "inventory"}, "billing"}};
  pipelines = derive_pipelines(read_connectors(store, "main"), seen_elsewhere, setup);
  EXPECT_EQ(find(pipelines, "dbserver1")->postgres, "billing")
      << "where the slot is seen beats what a connection string says";

  setup.postgres_addresses["inventory"] = {"10.1.2.3:5433"};
  pipelines = derive_pipelines(read_connectors(store, "main"), {}, setup);
  EXPECT_FALSE(find(pipelines, "dbserver1")->postgres);
  EXPECT_NE(find(pipelines, "dbserver1")->formed.find("or connecting to 10.1.2.3:5432"),
            std::string::npos);
}

// dbserver1's source is matched by the slot its PostgreSQL reports. An agent restarted during that
// server's outage cannot see the slot again until it is back: on the old code the pipeline lost its
// source (hop unknown, "no postgres: entry"), so the outage's alerts paged outside the pipeline.
TEST_F(DerivationTest, ARestartDuringAnOutageKeepsWhichPostgresReportedTheSourcesSlot) {
  auto source_of = [&](PipelineStage& stage, PipelineBoard& board) {
    EXPECT_TRUE(stage.collect({clock.now() + 5s, clock, store}).ok());
    for (const auto& pipeline : board.pipelines()) {
      if (pipeline["name"] == "dbserver1") return pipeline["hops"][0]["reason"].get<std::string>();
    }
    return std::string("no pipeline dbserver1");
  };
  Readings up;
  up.set(slot_metrics::kUp, {{"source", "inventory"}}, 1);
  up.set(slot_metrics::kActive,
         {{"source", "inventory"}, {"slot", "debezium"}, {"database", "inventory"}}, 1);
  store.publish("pg_slots/inventory", up);
  StageSetup stage_setup{.derivation = setup};
  PipelineBoard board;
  PipelineStage before(stage_setup, board);
  EXPECT_EQ(source_of(before, board), "PostgreSQL inventory answers");
  nlohmann::json saved = nlohmann::json::parse(before.save_state().dump());

  Readings down;
  down.set(slot_metrics::kUp, {{"source", "inventory"}}, 0);
  store.publish("pg_slots/inventory", down);
  PipelineStage restarted(stage_setup, board);
  restarted.restore_state(saved);
  EXPECT_EQ(source_of(restarted, board), "PostgreSQL inventory does not answer") << saved.dump();

  PipelineStage fresh(stage_setup, board);
  EXPECT_EQ(source_of(fresh, board), "no postgres: entry for this pipeline's source");

  StageSetup without = stage_setup;
  without.derivation.postgres = {"fulfillment-db", "billing"};  // the entry left the config
  PipelineStage reconfigured(without, board);
  reconfigured.restore_state(saved);
  EXPECT_EQ(source_of(reconfigured, board), "no postgres: entry for this pipeline's source");
}

TEST_F(DerivationTest, TheStageShowsHowEachPipelineWasFormedWithItsHops) {
  Readings pg;
  pg.set(slot_metrics::kUp, {{"source", "fulfillment-db"}}, 1);
  pg.set(slot_metrics::kActive,
         {{"source", "fulfillment-db"}, {"slot", "fulfillment_slot"}, {"database", "postgres"}}, 1);
  pg.set(slot_metrics::kRetained, {{"source", "fulfillment-db"}, {"slot", "fulfillment_slot"}},
         7'340'032);
  store.publish("pg_slots/fulfillment-db", pg);
  PipelineBoard board;
  StageSetup stage_setup{.derivation = setup, .stall_after = {{"main", Millis(300000)}}};
  PipelineStage stage(stage_setup, board);
  auto outcome = stage.collect({clock.now() + 5s, clock, store});
  EXPECT_TRUE(outcome.ok());
  EXPECT_EQ(
      outcome.readings.value("cdcwatch_pipeline_hop_status",
                             {{"pipeline", "fulfillment"}, {"hop", "slot"}, {"status", "ok"}}),
      1);
  nlohmann::json shown = board.pipelines();
  ASSERT_EQ(shown.size(), 2u) << shown.dump(2);
  const nlohmann::json& fulfillment = shown[1]["name"] == "fulfillment" ? shown[1] : shown[0];
  EXPECT_EQ(fulfillment["name"], "fulfillment");
  EXPECT_NE(fulfillment["formed"].get<std::string>().find("derived from connect/main"),
            std::string::npos);
  ASSERT_EQ(fulfillment["hops"].size(), 6u);
  EXPECT_EQ(fulfillment["hops"][1]["hop"], "slot");
  EXPECT_EQ(fulfillment["hops"][1]["status"], "ok");
  EXPECT_EQ(fulfillment["hops"][1]["key_reading"]["value"], 7'340'032);
  EXPECT_EQ(fulfillment["hops"][1]["key_reading"]["unit"], "bytes");
  EXPECT_EQ(fulfillment["hops"][3]["status"], "unknown") << "no reading from kafka msk";
  EXPECT_EQ(fulfillment["hops"][5]["reason"],
            "no warehouse reading from canary fulfillment-canary");
  EXPECT_TRUE(fulfillment["freshness_seconds"].is_null());
  EXPECT_FALSE(outcome.readings.family("cdcwatch_pipeline_freshness_seconds"))
      << "absent without a canary reading";
}

TEST(TopicMatch, SinksAreMatchedByTopicsListOrRegexAgainstASourcesTopics) {
  ConnectorInfo source{
      "c", "s", "source", {{"topic.prefix", "shop"}, {"table.include.list", "public\\.orders"}}};
  auto globs = source_topics(source);
  EXPECT_EQ(globs, std::vector<std::string>{"shop.public.orders"});
  struct Row {
    std::map<std::string, std::string> config;
    bool reads;
  };
  const Row rows[] = {
      {{{"topics", "shop.public.orders"}}, true},
      {{{"topics", "other, shop.public.orders"}}, true},
      {{{"topics", "shop.public.customers"}}, false},
      {{{"topics.regex", "shop\\.public\\..*"}}, true},
      {{{"topics.regex", "shop\\.private\\..*"}}, false},
      {{{"topics.regex", "(unclosed"}}, false},
      {{}, false},
  };
  for (const auto& row : rows) {
    ConnectorInfo sink{"c", "k", "sink", row.config};
    EXPECT_EQ(sink_reads(sink, globs), row.reads) << nlohmann::json(row.config).dump();
  }
  ConnectorInfo whole{"c", "s", "source", {{"topic.prefix", "shop"}}};
  EXPECT_TRUE(sink_reads({"c", "k", "sink", {{"topics.regex", "shop\\.public\\..*"}}},
                         source_topics(whole)));
}

}  // namespace
}  // namespace cdcwatch
