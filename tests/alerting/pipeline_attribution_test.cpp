// Attribution of alert instances to a pipeline and hop (#16), from tables of labels, and the
// pipelines read back from the /api/pipelines shape the pipeline stage publishes.
#include "agent/alerting/pipeline_attribution.h"

#include <gtest/gtest.h>

#include "agent/alerting/pipeline_incident.h"

namespace cdcwatch {
namespace {

// Two pipelines sharing one PostgreSQL server, one Connect cluster and one Kafka cluster, as
// the pipeline stage publishes them (agent/pipeline/README.md, GET /api/pipelines).
const nlohmann::json kBoard = nlohmann::json::parse(R"([
  {"name": "orders", "formed": "declared",
   "source": {"postgres": "shop", "slot": "debezium_orders"},
   "capture": {"connect": "main", "connector": "orders-source"},
   "topics": ["orders.public.*"],
   "sink": {"connect": "main", "connector": "orders-snowflake", "kafka": "msk"},
   "warehouse": {"name": "snowflake", "tables": ["ANALYTICS.PUBLIC.ORDERS"]},
   "canary": "shop", "status": "failing", "freshness_seconds": 540.5,
   "hops": [{"hop": "source", "status": "ok", "reason": "PostgreSQL answers",
             "since": "2026-11-30T14:00:00.000Z", "readings": []},
            {"hop": "sink", "status": "failing", "reason": "group connect-orders-snowflake is stall",
             "since": "2026-11-30T14:02:00.250Z",
             "readings": [{"metric": "cdcwatch_kafka_consumer_group_max_lag_seconds",
                           "labels": {}, "value": 97.2, "unit": "seconds"}]},
            {"hop": "warehouse", "status": "ok", "reason": "Snowflake keeps up with sink orders-sf",
             "since": "2026-11-30T14:00:00.000Z",
             "readings": [{"metric": "cdcwatch_sink_up", "labels": {"sink": "orders-sf"},
                           "value": 1, "unit": ""}]}]},
  {"name": "payments", "formed": "declared",
   "source": {"postgres": "shop", "slot": "debezium_payments"},
   "capture": {"connect": "main", "connector": "payments-source"},
   "sink": {"connect": "other", "connector": "payments-s3", "kafka": "msk"},
   "freshness_seconds": null, "hops": []},
  {"formed": "an entry without a name is skipped"},
  "not an object"
])");

struct Row {
  const char* why;
  Labels labels;
  std::vector<Attribution> expected;
};

TEST(PipelineAttribution, EachAlertsLabelsPlaceItOnItsPipelinesAndHop) {
  auto pipelines = pipelines_from_board(kBoard);
  const std::vector<Row> rows = {
      {"a slot of one pipeline",
       {{"source", "shop"}, {"slot", "debezium_orders"}},
       {{"orders", "slot"}}},
      {"a slot with a cause label",
       {{"cause", "x"}, {"slot", "debezium_payments"}, {"source", "shop"}},
       {{"payments", "slot"}}},
      {"a slot of no pipeline", {{"source", "shop"}, {"slot", "spare"}}, {}},
      {"PostgreSQL down: both pipelines' source",
       {{"source", "shop"}},
       {{"orders", "source"}, {"payments", "source"}}},
      {"another server", {{"source", "billing"}}, {}},
      {"the capture connector",
       {{"connect", "main"}, {"connector", "orders-source"}, {"state", "FAILED"}},
       {{"orders", "capture"}}},
      {"the sink connector (stall rule)",
       {{"connect", "main"}, {"connector", "orders-snowflake"}, {"type", "sink"}},
       {{"orders", "sink"}}},
      {"a connector outside every pipeline",
       {{"connect", "main"}, {"connector", "audit-sink"}},
       {}},
      {"Connect down: captures there, else sinks", {{"connect", "other"}}, {{"payments", "sink"}}},
      {"Connect main serves both captures",
       {{"connect", "main"}},
       {{"orders", "capture"}, {"payments", "capture"}}},
      {"the sink's consumer group",
       {{"group", "connect-orders-snowflake"}, {"kafka", "msk"}, {"status", "stall"}},
       {{"orders", "sink"}}},
      {"a group on another cluster",
       {{"group", "connect-orders-snowflake"}, {"kafka", "other"}},
       {}},
      {"another group", {{"group", "analytics"}, {"kafka", "msk"}}, {}},
      {"Kafka down", {{"kafka", "msk"}}, {{"orders", "kafka"}, {"payments", "kafka"}}},
      {"canary stale at the warehouse",
       {{"canary", "shop"}, {"stage", "warehouse"}},
       {{"orders", "warehouse"}}},
      {"canary stale at Kafka", {{"canary", "shop"}, {"stage", "kafka"}}, {{"orders", "capture"}}},
      {"a pipeline label names it",
       {{"hop", "kafka"}, {"pipeline", "payments"}},
       {{"payments", "kafka"}}},
      {"a warehouse table",
       {{"table", "ANALYTICS.PUBLIC.ORDERS"}, {"warehouse", "snowflake"}},
       {{"orders", "warehouse"}}},
      {"another table", {{"table", "ANALYTICS.PUBLIC.USERS"}, {"warehouse", "snowflake"}}, {}},
      {"the same table named without its database, in lower case",
       {{"table", "public.orders"}, {"warehouse", "snowflake"}},
       {{"orders", "warehouse"}}},
      {"a table name alone is not enough", {{"table", "orders"}, {"warehouse", "snowflake"}}, {}},
      {"schema drift found by a consistency check: its warehouse copy decides",
       {{"check", "nightly"},
        {"column", "total"},
        {"kind", "nullability"},
        {"table", "shop.orders"},
        {"warehouse", "snowflake"},
        {"warehouse_table", "PUBLIC.ORDERS"}},
       {{"orders", "warehouse"}}},
      {"a consistency check of a table no pipeline loads",
       {{"check", "nightly"},
        {"table", "public.orders"},
        {"warehouse", "snowflake"},
        {"warehouse_table", "PUBLIC.ORDERS_ARCHIVE"}},
       {}},
      {"a consistency check on another warehouse",
       {{"check", "nightly"},
        {"table", "public.orders"},
        {"warehouse", "replica"},
        {"warehouse_table", "PUBLIC.ORDERS"}},
       {}},
      {"a consistency series without its warehouse copy (an older agent's) is outside",
       {{"check", "nightly"}, {"table", "public.orders"}, {"warehouse", "snowflake"}},
       {}},
      {"Snowflake's own position of a sinks: entry",
       {{"sink", "orders-sf"}},
       {{"orders", "warehouse"}}},
      {"a sinks: entry no pipeline reads", {{"sink", "audit-sf"}}, {}},
      {"probe health is outside", {{"probe", "pg_slots/shop"}}, {}},
      {"a notifier is outside", {{"notifier", "pagerduty"}}, {}},
  };
  for (const auto& row : rows) {
    EXPECT_EQ(attribute(row.labels, pipelines), row.expected) << row.why;
  }
}

TEST(PipelineAttribution, LabelsNameEveryPipelineAndTheMostUpstreamHop) {
  EXPECT_EQ(attribution_labels({}), Labels{});
  EXPECT_EQ(attribution_labels({{"orders", "sink"}}),
            (Labels{{"hop", "sink"}, {"pipeline", "orders"}}));
  EXPECT_EQ(attribution_labels({{"orders", "sink"}, {"payments", "capture"}}),
            (Labels{{"hop", "capture"}, {"pipeline", "orders,payments"}}));
}

TEST(PipelineSnapshot, ReadsTheBoardAndSkipsWhatDoesNotParse) {
  auto pipelines = pipelines_from_board(kBoard);
  ASSERT_EQ(pipelines.size(), 2u);
  const auto& orders = pipelines[0];
  EXPECT_EQ(orders.kafka, "msk");
  EXPECT_EQ(orders.freshness_seconds, 540.5);
  EXPECT_FALSE(pipelines[1].freshness_seconds);
  EXPECT_EQ(orders.tables, std::vector<std::string>{"ANALYTICS.PUBLIC.ORDERS"});
  ASSERT_NE(orders.hop("sink"), nullptr);
  EXPECT_EQ(orders.hop("sink")->status, "failing");
  EXPECT_EQ(format_timestamp(*orders.hop("sink")->since), "2026-11-30T14:02:00.250Z");
  EXPECT_EQ(orders.hop("sink")->readings.size(), 1u);
  EXPECT_EQ(orders.sink_entries, std::vector<std::string>{"orders-sf"});
  EXPECT_EQ(pipelines[1].hop("warehouse"), nullptr);
  EXPECT_LT(upstream_rank("slot"), upstream_rank("sink"));
  EXPECT_TRUE(pipelines_from_board(nlohmann::json::object()).empty());
}

// The root cause: the most upstream hop the stage sees failing, else the most upstream symptom's.
TEST(PipelineIncident, TheRootIsTheMostUpstreamFailingHop) {
  auto pipelines = pipelines_from_board(kBoard);
  AlertRule warning{.alert = "Stale", .severity = Severity::kWarning, .summary = "stale"};
  AlertRule critical{.alert = "SlotLost", .severity = Severity::kCritical, .summary = "slot lost"};
  TimePoint early = TimePoint(std::chrono::seconds(1000)), late = early + std::chrono::minutes(3);
  ActiveInstance stale{0, {}, true, 540, early}, lost{1, {}, true, 1, late};
  std::vector<Symptom> symptoms = {{&warning, &stale, "warehouse"}, {&critical, &lost, "slot"}};

  RootCause by_status = root_cause(&pipelines[0], symptoms);
  EXPECT_EQ(by_status.hop, "sink") << "the stage's failing hop, though no symptom is there";
  EXPECT_EQ(by_status.reason, "group connect-orders-snowflake is stall");
  EXPECT_EQ(by_status.readings.size(), 1u);
  EXPECT_TRUE(by_status.failing);

  RootCause by_symptoms = root_cause(&pipelines[1], symptoms);  // no hop reads failing
  EXPECT_EQ(by_symptoms.hop, "slot");
  EXPECT_EQ(by_symptoms.reason, "slot lost");
  EXPECT_EQ(by_symptoms.since, late);
  EXPECT_FALSE(by_symptoms.failing);
  EXPECT_EQ(root_cause(nullptr, {symptoms[0]}).hop, "warehouse");
  std::string summary =
      pipeline_trigger("payments", &pipelines[1], by_symptoms, symptoms, early, late).summary;
  EXPECT_EQ(summary,
            "payments: the slot hop alerts since 00:19:40 UTC (slot lost); warehouse freshness "
            "unknown (no canary); 2 alerts");
  EXPECT_EQ(worst_severity(symptoms), Severity::kCritical);
  EXPECT_EQ(worst_severity({symptoms[0]}), Severity::kWarning);
}

}  // namespace
}  // namespace cdcwatch
