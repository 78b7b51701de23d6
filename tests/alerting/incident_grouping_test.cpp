// `alerts.grouping` (#16): one PagerDuty incident per pipeline and root-cause hop, through the
// alerting engine to the local PagerDuty Events API v2 and an Alertmanager-style webhook, on a
// fake clock. The pipelines come as the pipeline stage publishes them (GET /api/pipelines).
#include <gtest/gtest.h>

#include <fstream>
#include <mutex>

#include "agent/alerting/alerting_engine.h"
#include "agent/alerting/rule_set.h"
#include "agent/core/readings_store.h"
#include "tests/alerting/paging_rig.h"
#include "tests/support/child_process.h"
#include "tests/support/eventually.h"
#include "tests/support/pagerduty_server.h"

namespace cdcwatch {
namespace {

using namespace std::chrono_literals;
using testing::eventually;

std::vector<AlertRule> shipped(const std::vector<std::string_view>& names) {
  std::vector<AlertRule> out;
  for (const auto& rule : default_rules()) {
    if (std::find(names.begin(), names.end(), rule.alert) != names.end()) out.push_back(rule);
  }
  return out;
}

// A pipeline `orders` (shop's slot debezium, sink orders-snowflake on msk, canary shop) whose
// hops read `failing` where named, `ok` elsewhere; `since` is when they started to.
nlohmann::json board(std::map<std::string, std::string> failing, TimePoint since,
                     std::optional<double> freshness) {
  nlohmann::json hops = nlohmann::json::array();
  for (const char* hop : {"source", "slot", "capture", "kafka", "sink", "warehouse"}) {
    auto reason = failing.find(hop);
    hops.push_back(
        {{"hop", hop},
         {"status", reason == failing.end() ? "ok" : "failing"},
         {"reason", reason == failing.end() ? "fine" : reason->second},
         {"since", format_timestamp(since)},
         {"readings", nlohmann::json::array({{{"metric", std::string("reading_of_") + hop},
                                              {"labels", nlohmann::json::object()},
                                              {"value", 97.2},
                                              {"unit", "seconds"}}})}});
  }
  return nlohmann::json::array(
      {{{"name", "orders"},
        {"formed", "declared"},
        {"source", {{"postgres", "shop"}, {"slot", "debezium"}}},
        {"capture", {{"connect", "main"}, {"connector", "orders-source"}}},
        {"sink", {{"connect", "main"}, {"connector", "orders-snowflake"}, {"kafka", "msk"}}},
        {"warehouse", {{"name", "analytics"}, {"tables", {"ANALYTICS.PUBLIC.ORDERS"}}}},
        {"canary", "shop"},
        {"freshness_seconds", freshness ? nlohmann::json(*freshness) : nlohmann::json(nullptr)},
        {"hops", hops}}});
}

struct Rig : PagingRig {
  Rig(const std::string& state_dir, std::vector<AlertRule> rules,
      Grouping grouping = Grouping::kPipeline)
      : PagingRig(state_dir, kRoutingKey, std::move(rules)) {
    setup.alerts.grouping = grouping;
  }
  // Started, reading `pipelines` as the agent reads the pipeline stage's board.
  std::unique_ptr<AlertingEngine> started() {
    auto made = engine();
    made->set_pipelines_source([this] {
      std::lock_guard lock(mutex);
      return pipelines;
    });
    made->start();
    return made;
  }
  void publish(nlohmann::json board) {
    std::lock_guard lock(mutex);
    pipelines = std::move(board);
  }
  void group_status(const std::string& status) {
    Readings readings;
    readings.set(MetricDef{"cdcwatch_kafka_up", ""}, {{"kafka", "msk"}}, 1);
    for (const char* each : {"ok", "warning", "stall", "stop"}) {
      readings.set(MetricDef{"cdcwatch_kafka_consumer_group_status", ""},
                   {{"kafka", "msk"}, {"group", "connect-orders-snowflake"}, {"status", each}},
                   each == status ? 1 : 0);
    }
    store.publish("kafka_lag/msk", std::move(readings));
  }
  void sink_stalled(double stalled, double connect_up = 1) {
    Readings readings;
    readings.set(MetricDef{"cdcwatch_connect_up", ""}, {{"connect", "main"}}, connect_up);
    if (connect_up == 1) {
      readings.set(MetricDef{"cdcwatch_connector_stalled", ""},
                   {{"connect", "main"}, {"connector", "orders-snowflake"}, {"type", "sink"}},
                   stalled);
    }
    store.publish("pipeline", std::move(readings));
  }
  void freshness(double seconds) {
    Readings readings;
    readings.set(MetricDef{"cdcwatch_canary_freshness_seconds", ""},
                 {{"canary", "shop"}, {"stage", "warehouse"}}, seconds);
    store.publish("canary/shop", std::move(readings));
  }
  // What the consistency check `nightly` found: `columns` drifted in each warehouse table.
  void drift(const std::map<std::string, double>& columns) {
    Readings readings;
    for (const auto& [table, drifted] : columns) {
      readings.set(MetricDef{"cdcwatch_schema_drift_columns", ""},
                   {{"check", "nightly"},
                    {"table", "public.orders"},
                    {"warehouse", "analytics"},
                    {"warehouse_table", table}},
                   drifted);
    }
    store.publish("consistency/nightly", std::move(readings));
  }
  void slot_wal(const std::string& source, double bytes) {
    Readings readings;
    readings.set(MetricDef{"cdcwatch_pg_slot_retained_wal_by_cause_bytes", ""},
                 {{"source", source}, {"slot", "debezium"}, {"cause", "consumer_behind"}}, bytes);
    store.publish("pg_slots/" + source, std::move(readings));
  }
  // Evaluates, then waits until every notifier delivered `pages` events in all.
  bool step(std::chrono::milliseconds by, AlertingEngine& engine, size_t pages) {
    clock.advance(by);
    engine.evaluate();
    return eventually([&] {
      std::lock_guard lock(mutex);
      return pagerduty.accepted().size() == pages && hooks.size() == pages;
    });
  }
  nlohmann::json pipelines = nlohmann::json::array();
};

const std::vector<std::string_view> kSinkRules = {
    "CdcConsumerGroupStalled", "CdcConsumerGroupStopped", "CdcConnectorStalled",
    "CdcCanaryStaleAtWarehouse", "CdcCanaryStaleAtWarehouseCritical"};

std::set<std::string> symptom_alerts(const nlohmann::json& trigger) {
  std::set<std::string> out;
  for (const auto& symptom : trigger["payload"]["custom_details"]["symptoms"]) {
    out.insert(symptom["alert"].get<std::string>());
  }
  return out;
}

void healthy(Rig& rig) {
  rig.group_status("ok");
  rig.sink_stalled(0);
  rig.freshness(20);
  rig.slot_wal("shop", 1e6);
}

// The orders pipeline's sink stalled: the stage reads the sink hop failing, the group stalled, the
// connector stalled and the warehouse 9 minutes behind.
void stalled_sink(Rig& rig) {
  rig.publish(board({{"sink", "stall"}}, rig.clock.now(), 540));
  rig.group_status("stall");
  rig.sink_stalled(1);
  rig.freshness(540);
}

// The agent restarts with `firing_json` as its saved state after the sink healed while it was
// down, and evaluates once every probe has reported: true once PagerDuty's one incident is
// resolved.
bool restart_healed_resolves(Rig& rig, const std::string& state_dir,
                             const std::string& firing_json) {
  std::ofstream(state_dir + "/alerts/firing.json", std::ios::trunc) << firing_json;
  healthy(rig);
  rig.publish(board({}, rig.clock.now(), 20));
  auto engine = rig.started();
  rig.clock.advance(2min);
  engine->evaluate();
  return eventually([&] {
    auto incidents = rig.pagerduty.incidents();
    return incidents.size() == 1 && !incidents[0].open;
  });
}

// Fails on the code before grouping: the stalled sink (the case study's Challenge 4) opened one
// incident per alert: group stalled, then stopped, connector stalled, canary stale twice.
TEST(PipelineGrouping, AStalledSinkIsOneIncidentNamingTheSinkHopWithEverySymptomThenResolves) {
  testing::TempDir dir;
  Rig rig(dir.path(), shipped(kSinkRules));
  TimePoint broke = rig.clock.now();
  auto engine = rig.started();
  healthy(rig);
  rig.publish(board({}, broke, 20));
  ASSERT_TRUE(rig.step(1s, *engine, 0));

  rig.group_status("stall");
  rig.sink_stalled(1);
  rig.freshness(540);
  rig.publish(board({{"sink", "group connect-orders-snowflake is stall"}}, broke, 540));
  ASSERT_TRUE(rig.step(1s, *engine, 1));
  nlohmann::json trigger = rig.pagerduty.accepted()[0];
  EXPECT_EQ(trigger["dedup_key"], "CdcPipelineIncident:pipeline=orders");
  EXPECT_EQ(trigger["payload"]["class"], "CdcPipelineIncident");
  EXPECT_EQ(trigger["payload"]["severity"], "critical");
  EXPECT_EQ(trigger["payload"]["component"], "sink");
  EXPECT_EQ(trigger["payload"]["source"], "pipeline/orders");
  std::string summary = trigger["payload"]["summary"];
  EXPECT_NE(summary.find("orders: the sink hop is failing since "), std::string::npos) << summary;
  EXPECT_NE(summary.find("group connect-orders-snowflake is stall"), std::string::npos) << summary;
  EXPECT_NE(summary.find("warehouse data is 9m old"), std::string::npos) << summary;
  const nlohmann::json& details = trigger["payload"]["custom_details"];
  EXPECT_EQ(details["root_hop"], "sink");
  EXPECT_EQ(details["since"], format_timestamp(broke));
  EXPECT_EQ(details["readings"][0]["metric"], "reading_of_sink");
  EXPECT_EQ(
      symptom_alerts(trigger),
      (std::set<std::string>{"CdcConnectorStalled", "CdcConsumerGroupStalled",
                             "CdcCanaryStaleAtWarehouse", "CdcCanaryStaleAtWarehouseCritical"}));
  for (const auto& symptom : details["symptoms"]) {
    SCOPED_TRACE(symptom.dump());
    EXPECT_TRUE(symptom.contains("value"));
    EXPECT_TRUE(symptom.contains("threshold"));
    EXPECT_NE(symptom["condition"], "");
    EXPECT_TRUE(symptom["runbook_url"].get<std::string>().starts_with(
        "https://runbooks.example/cdcwatch/runbooks/"));
  }
  EXPECT_EQ(details["symptoms"][0]["hop"], "sink") << "upstream symptoms first";

  // The stall becomes a stop: a symptom changed, so the same incident is updated.
  rig.group_status("stop");
  ASSERT_TRUE(rig.step(1s, *engine, 2));
  EXPECT_EQ(rig.pagerduty.accepted()[1]["dedup_key"], trigger["dedup_key"]);
  EXPECT_TRUE(symptom_alerts(rig.pagerduty.accepted()[1]).contains("CdcConsumerGroupStopped"));

  healthy(rig);
  rig.publish(board({}, broke, 20));
  ASSERT_TRUE(rig.step(61s, *engine, 3));
  EXPECT_EQ(rig.pagerduty.accepted()[2]["event_action"], "resolve");
  EXPECT_EQ(rig.pagerduty.accepted()[2]["dedup_key"], trigger["dedup_key"]);
  ASSERT_EQ(rig.pagerduty.incidents().size(), 1u);
  EXPECT_FALSE(rig.pagerduty.incidents()[0].open);
}

TEST(PipelineGrouping, AlertModePagesEachAlertInstanceAsBefore) {
  testing::TempDir dir;
  Rig rig(dir.path(), shipped(kSinkRules), Grouping::kAlert);
  auto engine = rig.started();
  rig.publish(board({{"sink", "group connect-orders-snowflake is stall"}}, rig.clock.now(), 540));
  rig.group_status("stall");
  rig.sink_stalled(1);
  rig.freshness(540);
  // Stalled, connector stalled, stale warning: three incidents (the critical escalates the
  // warning).
  ASSERT_TRUE(rig.step(1s, *engine, 3));
  std::set<std::string> keys;
  for (const auto& event : rig.pagerduty.accepted()) keys.insert(event["dedup_key"]);
  EXPECT_EQ(keys.size(), 3u);
  EXPECT_FALSE(keys.contains("CdcPipelineIncident:pipeline=orders"));
  EXPECT_EQ(rig.pagerduty.incidents().size(), 3u);
  auto status = engine->status_json();
  for (const auto& active : status["active"]) {
    EXPECT_EQ(active["pipeline"], "orders") << "placed for silences in either mode";
  }
  EXPECT_EQ(status["grouping"], "alert");
}

TEST(PipelineGrouping, WhenTheRootMovesUpstreamTheSameIncidentIsUpdated) {
  testing::TempDir dir;
  Rig rig(dir.path(), shipped(kSinkRules));
  TimePoint start = rig.clock.now();
  auto engine = rig.started();
  healthy(rig);
  rig.freshness(540);
  rig.publish(board({{"warehouse", "canary shop at warehouse is 540s old"}}, start, 540));
  ASSERT_TRUE(rig.step(1s, *engine, 1));
  EXPECT_EQ(rig.pagerduty.accepted()[0]["payload"]["component"], "warehouse");

  rig.sink_stalled(1);
  rig.publish(board({{"sink", "orders-snowflake is RUNNING but stalled"}}, start + 5s, 540));
  ASSERT_TRUE(rig.step(10s, *engine, 2));
  nlohmann::json moved = rig.pagerduty.accepted()[1];
  EXPECT_EQ(moved["event_action"], "trigger");
  EXPECT_EQ(moved["dedup_key"], rig.pagerduty.accepted()[0]["dedup_key"]);
  EXPECT_EQ(moved["payload"]["component"], "sink");
  EXPECT_EQ(moved["payload"]["custom_details"]["root_hop"], "sink");
  ASSERT_EQ(rig.pagerduty.incidents().size(), 1u);
  EXPECT_EQ(rig.pagerduty.incidents()[0].triggers, 2);

  // Nothing changes: no page until the re-trigger interval.
  ASSERT_TRUE(rig.step(60s, *engine, 2));
  ASSERT_TRUE(rig.step(241s, *engine, 3));
  EXPECT_EQ(rig.pagerduty.accepted()[2]["dedup_key"], moved["dedup_key"]);
}

// The alert evaluator can see a symptom before the pipeline stage's next cycle judges its hop.
TEST(PipelineGrouping, AnAlertSeenBeforeTheStageJudgesItsHopIsUpdatedOnceTheStageDoes) {
  testing::TempDir dir;
  Rig rig(dir.path(), shipped(kSinkRules));
  auto engine = rig.started();
  rig.publish(board({}, rig.clock.now(), 20));
  rig.group_status("stall");
  ASSERT_TRUE(rig.step(1s, *engine, 1));
  std::string first = rig.pagerduty.accepted()[0]["payload"]["summary"];
  EXPECT_TRUE(first.starts_with("orders: the sink hop alerts since ")) << first;
  rig.publish(board({{"sink", "group connect-orders-snowflake is stall"}}, rig.clock.now(), 20));
  ASSERT_TRUE(rig.step(1s, *engine, 2));
  nlohmann::json update = rig.pagerduty.accepted()[1];
  EXPECT_EQ(update["dedup_key"], rig.pagerduty.accepted()[0]["dedup_key"]);
  EXPECT_TRUE(update["payload"]["summary"].get<std::string>().starts_with(
      "orders: the sink hop is failing since "));
  EXPECT_EQ(update["payload"]["custom_details"]["root_hop_failing"], true);
}

TEST(PipelineGrouping, AnAlertOutsideEveryPipelinePagesAsBefore) {
  testing::TempDir dir;
  Rig rig(dir.path(), shipped({"CdcSlotRetainedWalHigh", "CdcConsumerGroupStalled"}));
  auto engine = rig.started();
  rig.publish(board({}, rig.clock.now(), 20));
  rig.slot_wal("billing", 9e9);  // a server no pipeline reads
  rig.group_status("stall");
  ASSERT_TRUE(rig.step(1s, *engine, 1));
  ASSERT_TRUE(rig.step(5min, *engine, 3)) << "the slot's page, and the incident's re-trigger";
  std::set<std::string> keys;
  for (const auto& event : rig.pagerduty.accepted()) keys.insert(event["dedup_key"]);
  EXPECT_EQ(keys,
            (std::set<std::string>{
                "CdcPipelineIncident:pipeline=orders",
                "CdcSlotRetainedWalHigh:cause=consumer_behind,slot=debezium,source=billing"}));
}

// Fails on the code before consistency series carried their warehouse table: schema drift paged
// as an incident of its own even when the pipeline loading that table was already paging.
TEST(PipelineGrouping, SchemaDriftJoinsTheIncidentOfThePipelineLoadingThatTable) {
  testing::TempDir dir;
  Rig rig(dir.path(), shipped({"CdcSchemaDrift", "CdcConsumerGroupStalled"}));
  auto engine = rig.started();
  healthy(rig);
  rig.publish(board({}, rig.clock.now(), 20));
  rig.drift({{"PUBLIC.ORDERS", 2}, {"PUBLIC.AUDIT_LOG", 1}});
  ASSERT_TRUE(rig.step(1s, *engine, 2));
  std::map<std::string, nlohmann::json> by_key;
  std::string keys;
  for (const auto& event : rig.pagerduty.accepted()) {
    by_key[event["dedup_key"]] = event;
    keys += event["dedup_key"].get<std::string>() + "\n";
  }
  ASSERT_TRUE(by_key.contains("CdcPipelineIncident:pipeline=orders")) << keys;
  const nlohmann::json& incident = by_key["CdcPipelineIncident:pipeline=orders"];
  EXPECT_EQ(incident["payload"]["component"], "warehouse");
  EXPECT_NE(incident["payload"]["summary"].get<std::string>().find("the warehouse hop alerts"),
            std::string::npos)
      << incident.dump();
  EXPECT_EQ(symptom_alerts(incident), std::set<std::string>{"CdcSchemaDrift"});
  EXPECT_TRUE(by_key.contains(
      "CdcSchemaDrift:check=nightly,table=public.orders,warehouse=analytics,warehouse_table=PUBLIC."
      "AUDIT_LOG"))
      << "a table no pipeline loads pages on its own: " << keys;

  // The sink stalls too: the same incident, now rooted upstream at the sink, lists both.
  stalled_sink(rig);
  ASSERT_TRUE(rig.step(1s, *engine, 3));
  nlohmann::json update = rig.pagerduty.accepted()[2];
  EXPECT_EQ(update["dedup_key"], "CdcPipelineIncident:pipeline=orders");
  EXPECT_EQ(update["payload"]["component"], "sink");
  EXPECT_EQ(symptom_alerts(update),
            (std::set<std::string>{"CdcConsumerGroupStalled", "CdcSchemaDrift"}));
}

// At start-up an alert outside every pipeline may belong to one not formed yet: its page waits
// until every probe has reported and the stage has judged it all. It is not silenced meanwhile.
TEST(PipelineGrouping, AtStartUpAnAlertOutsideThePipelinesWaitsForThemUnsilenced) {
  testing::TempDir dir;
  Rig rig(dir.path(), shipped({"CdcSlotRetainedWalHigh"}));
  rig.complete = false;
  auto engine = rig.started();
  rig.publish(board({}, rig.clock.now(), 20));
  rig.slot_wal("billing", 9e9);  // a server no pipeline reads
  rig.clock.advance(1s);
  engine->evaluate();
  rig.clock.advance(6min);  // past the rule's for
  engine->evaluate();
  EXPECT_TRUE(rig.pagerduty.accepted().empty()) << "the pipelines are not formed yet";
  Readings readings = engine->readings();
  const auto* silenced = readings.family("cdcwatch_alert_silenced");
  ASSERT_NE(silenced, nullptr);
  for (const auto& one : silenced->series) EXPECT_EQ(one.value, 0) << "waiting is not silenced";

  rig.complete = true;
  ASSERT_TRUE(rig.step(1s, *engine, 1));
  EXPECT_EQ(rig.pagerduty.accepted()[0]["payload"]["class"], "CdcSlotRetainedWalHigh");
}

TEST(PipelineGrouping, TheIncidentHoldsWhileItsObserverIsBlindAndResolvesWhenAllIsClear) {
  testing::TempDir dir;
  Rig rig(dir.path(), shipped({"CdcConnectorStalled"}));
  rig.setup.alerts.missing_data_hold = Millis(600000);
  auto engine = rig.started();
  rig.publish(board({{"sink", "stalled"}}, rig.clock.now(), std::nullopt));
  rig.sink_stalled(1);
  ASSERT_TRUE(rig.step(1s, *engine, 1));
  EXPECT_NE(rig.pagerduty.accepted()[0]["payload"]["summary"].get<std::string>().find(
                "warehouse freshness unknown"),
            std::string::npos);
  rig.sink_stalled(0, /*connect_up=*/0);  // Connect stops answering: the series is gone
  ASSERT_TRUE(rig.step(30min, *engine, 2)) << "a re-trigger, no resolve while cdcwatch is blind";
  EXPECT_EQ(rig.pagerduty.accepted()[1]["event_action"], "trigger");
  EXPECT_TRUE(rig.pagerduty.incidents()[0].open);
  rig.sink_stalled(0);
  ASSERT_TRUE(rig.step(1s, *engine, 3));
  EXPECT_EQ(rig.pagerduty.accepted()[2]["event_action"], "resolve");
}

TEST(PipelineGrouping, AnOpenIncidentSurvivesARestartWithoutAPageAndResolvesLater) {
  testing::TempDir dir;
  Rig rig(dir.path(), shipped(kSinkRules));
  stalled_sink(rig);
  {
    auto engine = rig.started();
    ASSERT_TRUE(rig.step(1s, *engine, 1));
  }
  rig.publish(nlohmann::json::array());  // the new agent's stage has not published yet
  auto engine = rig.started();
  ASSERT_TRUE(rig.step(1s, *engine, 1)) << "restored, not paged again, not split per alert";
  rig.publish(board({{"sink", "stall"}}, rig.clock.now(), 540));
  ASSERT_TRUE(rig.step(1s, *engine, 1));
  ASSERT_FALSE(engine->pipeline_incident("orders").is_null());
  EXPECT_EQ(engine->pipeline_incident("orders")["root_hop"], "sink");
  healthy(rig);
  rig.publish(board({}, rig.clock.now(), 20));
  ASSERT_TRUE(rig.step(61s, *engine, 2));
  EXPECT_EQ(rig.pagerduty.accepted()[1]["event_action"], "resolve");
  EXPECT_EQ(rig.pagerduty.accepted()[1]["dedup_key"], "CdcPipelineIncident:pipeline=orders");
  EXPECT_EQ(rig.pagerduty.incidents().size(), 1u);
  EXPECT_TRUE(engine->pipeline_incident("orders").is_null());
}

// The engine writes a page to the outbox first and firing.json after, so a crash between the two
// leaves the page only in the outbox. On the old code a pipeline incident's trigger left there was
// delivered after the restart and then never resolved: nothing remembered the incident was open.
TEST(PipelineGrouping, AnIncidentTriggerLeftInTheOutboxByACrashIsResolvedOnceClear) {
  testing::TempDir dir;
  Rig rig(dir.path(), shipped(kSinkRules));
  stalled_sink(rig);
  rig.pagerduty.fail_next(500, 1000);  // PagerDuty down: the trigger waits in the outbox
  {
    auto engine = rig.started();
    rig.clock.advance(1s);
    engine->evaluate();
    ASSERT_TRUE(eventually([&] { return rig.hook_bodies().size() == 1; })) << "decided";
  }
  ASSERT_TRUE(rig.pagerduty.accepted().empty());
  rig.pagerduty.clear_scripted();
  // The crash came before the state was written: firing.json says nothing fires.
  ASSERT_TRUE(restart_healed_resolves(rig, dir.path(), "[]"))
      << nlohmann::json(rig.pagerduty.accepted()).dump(2);
  EXPECT_EQ(rig.pagerduty.incidents()[0].dedup_key, "CdcPipelineIncident:pipeline=orders");
  EXPECT_EQ(rig.pagerduty.accepted().front()["event_action"], "trigger");
  EXPECT_EQ(rig.pagerduty.accepted().back()["event_action"], "resolve");
}

// On the old code a damaged firing.json lost the pipeline's incident for good: nothing resolved it.
TEST(PipelineGrouping, ADamagedStateFileResolvesTheIncidentOfAQuietPipeline) {
  testing::TempDir dir;
  Rig rig(dir.path(), shipped(kSinkRules));
  rig.publish(board({{"sink", "stall"}}, rig.clock.now(), 540));
  rig.group_status("stall");
  rig.sink_stalled(1);
  {
    auto engine = rig.started();
    ASSERT_TRUE(rig.step(1s, *engine, 1));
  }
  // Besides, each clear series' own key gets a resolve PagerDuty drops (as without grouping).
  ASSERT_TRUE(restart_healed_resolves(rig, dir.path(), "[{\"alert\": \"CdcCon"))
      << nlohmann::json(rig.pagerduty.accepted()).dump(2);
  EXPECT_EQ(rig.pagerduty.incidents()[0].dedup_key, "CdcPipelineIncident:pipeline=orders");
  EXPECT_EQ(rig.hook_bodies().size(), 1u) << "a webhook never hears of an unconfirmed resolve";
}

// Alertmanager webhook v4
// (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config): the incident is one
// group, its symptoms the group's alerts.
TEST(PipelineGrouping, WebhooksReceiveTheIncidentAsOneAlertmanagerGroup) {
  testing::TempDir dir;
  Rig rig(dir.path(), shipped(kSinkRules));
  auto engine = rig.started();
  rig.publish(board({{"sink", "stall"}}, rig.clock.now(), 540));
  rig.group_status("stall");
  rig.sink_stalled(1);
  ASSERT_TRUE(rig.step(1s, *engine, 1));
  nlohmann::json body = rig.hook_bodies()[0];
  EXPECT_EQ(body["version"], "4");
  EXPECT_EQ(body["status"], "firing");
  EXPECT_EQ(body["receiver"], "cdcwatch");
  EXPECT_EQ(body["groupKey"], "{}:{pipeline=\"orders\"}");
  EXPECT_EQ(body["groupLabels"], (nlohmann::json{{"pipeline", "orders"}}));
  EXPECT_EQ(body["externalURL"], "");
  ASSERT_EQ(body["alerts"].size(), 2u);
  EXPECT_EQ(body["commonLabels"]["pipeline"], "orders");
  EXPECT_EQ(body["commonLabels"]["hop"], "sink");
  EXPECT_EQ(body["commonLabels"]["severity"], "critical");
  EXPECT_FALSE(body["commonLabels"].contains("alertname")) << "two different alerts";
  EXPECT_TRUE(body["commonAnnotations"].contains("incident"));
  for (const auto& alert : body["alerts"]) {
    EXPECT_EQ(alert["status"], "firing");
    EXPECT_EQ(alert["endsAt"], "0001-01-01T00:00:00Z");
    EXPECT_TRUE(alert["annotations"].contains("runbook_url"));
  }
  rig.group_status("ok");
  rig.sink_stalled(0);
  ASSERT_TRUE(rig.step(61s, *engine, 2));
  nlohmann::json resolved = rig.hook_bodies()[1];
  EXPECT_EQ(resolved["status"], "resolved");
  EXPECT_EQ(resolved["groupKey"], body["groupKey"]);
  for (const auto& alert : resolved["alerts"]) EXPECT_EQ(alert["status"], "resolved");
  EXPECT_EQ(resolved["alerts"][0]["fingerprint"], body["alerts"][0]["fingerprint"]);
}

}  // namespace
}  // namespace cdcwatch
