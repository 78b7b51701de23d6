// Hop status from tables of readings (#16): each row changes a healthy pipeline's readings and
// says what every hop must read, source to warehouse.
#include "agent/pipeline/hop_rules.h"

#include <gtest/gtest.h>

#include <array>
#include <functional>

#include "agent/core/readings_store.h"
#include "probes/canary/canary_metrics.h"
#include "probes/connect/connect_metrics.h"
#include "probes/kafka_lag/lag_metrics.h"
#include "probes/pg_slots/slot_metrics.h"
#include "probes/sink_truth/sink_metrics.h"

namespace cdcwatch {
namespace {

constexpr HopStatus ok = HopStatus::kOk, degraded = HopStatus::kDegraded,
                    failing = HopStatus::kFailing, unknown = HopStatus::kUnknown;

struct Reading {
  const MetricDef* def;
  Labels labels;
  double value;
};
using ReadingList = std::vector<Reading>;

void put(ReadingList& list, const MetricDef& def, Labels labels, double value) {
  for (auto& reading : list) {
    if (reading.def == &def && labels_match(reading.labels, labels) &&
        reading.labels.size() == labels.size()) {
      reading.value = value;
      return;
    }
  }
  list.push_back({&def, std::move(labels), value});
}

void drop(ReadingList& list, const MetricDef& def) {
  std::erase_if(list, [&](const Reading& reading) { return reading.def == &def; });
}

const Labels kSlot = {{"source", "shop"}, {"slot", "debezium"}};
const Labels kGroup = {{"kafka", "msk"}, {"group", "connect-orders-snowflake"}};

Labels with(Labels labels, std::string name, std::string value) {
  labels.emplace_back(std::move(name), std::move(value));
  return labels;
}

Labels connector(const std::string& name, const std::string& type) {
  return {{"connect", "main"}, {"connector", name}, {"type", type}};
}

void connector_state(ReadingList& list, const std::string& name, const std::string& type,
                     const std::string& state, const std::string& task_state = "RUNNING") {
  for (const char* each : {"RUNNING", "PAUSED", "FAILED", "UNASSIGNED"}) {
    put(list, connect_metrics::kState, with(connector(name, type), "state", each),
        state == each ? 1 : 0);
    put(list, connect_metrics::kTasks, with(connector(name, type), "state", each),
        task_state == each ? 1 : 0);
  }
}

void group_status(ReadingList& list, const std::string& status) {
  for (const char* each : {"ok", "warning", "stall", "stop", "rewind", "error"}) {
    put(list, kafka_lag_metrics::kGroupStatus, with(kGroup, "status", each),
        status == each ? 1 : 0);
  }
}

// A canary arrived at `stage` (its sequence is reported) and is `seconds` old.
void freshness(ReadingList& list, const std::string& stage, double seconds) {
  put(list, kCanaryFreshness, {{"canary", "shop"}, {"stage", stage}}, seconds);
  put(list, kCanaryLastSeenSeq, {{"canary", "shop"}, {"stage", stage}}, 42);
}

// None arrived yet: the probe reports how long it has been watching as the freshness.
void no_arrival_yet(ReadingList& list, const std::string& stage, double watching) {
  freshness(list, stage, watching);
  std::erase_if(list, [&](const Reading& reading) {
    return reading.def == &kCanaryLastSeenSeq && label_value(reading.labels, "stage") == stage;
  });
}

void postgres_down(ReadingList& list) {
  put(list, slot_metrics::kUp, {{"source", "shop"}}, 0);
  for (const auto* def : {&slot_metrics::kWalLsn, &slot_metrics::kActive, &slot_metrics::kRetained,
                          &slot_metrics::kInactiveSeconds, &slot_metrics::kFlushLagSeconds,
                          &slot_metrics::kWalStatus}) {
    drop(list, *def);
  }
}

// A sinks: entry on the pipeline's sink connector (probes/sink_truth): Snowflake's own positions.
void sink_positions(ReadingList& list, double no_progress, double lag_seconds, double ahead) {
  put(list, sink_metrics::kInfo,
      {{"sink", "orders-sf"}, {"connector", "orders-snowflake"}, {"kafka", "msk"}}, 1);
  put(list, sink_metrics::kUp, {{"sink", "orders-sf"}}, 1);
  put(list, sink_metrics::kSinceProgressMax, {{"sink", "orders-sf"}}, no_progress);
  put(list, sink_metrics::kLagSecondsMax, {{"sink", "orders-sf"}}, lag_seconds);
  put(list, sink_metrics::kGroupAheadTotal, {{"sink", "orders-sf"}}, ahead);
}

ReadingList healthy() {
  ReadingList list;
  put(list, slot_metrics::kUp, {{"source", "shop"}}, 1);
  put(list, slot_metrics::kWalLsn, {{"source", "shop"}}, 90'000'000);
  put(list, slot_metrics::kActive, with(with(kSlot, "plugin", "pgoutput"), "database", "shop"), 1);
  put(list, slot_metrics::kRetained, kSlot, 4'000'000);
  put(list, slot_metrics::kInactiveSeconds, kSlot, 0);
  put(list, slot_metrics::kFlushLagSeconds, kSlot, 3);
  for (const char* status : {"reserved", "extended", "unreserved", "lost"}) {
    put(list, slot_metrics::kWalStatus, with(kSlot, "status", status),
        std::string(status) == "reserved" ? 1 : 0);
  }
  put(list, connect_metrics::kUp, {{"connect", "main"}}, 1);
  connector_state(list, "orders-source", "source", "RUNNING");
  connector_state(list, "orders-snowflake", "sink", "RUNNING");
  put(list, kafka_lag_metrics::kUp, {{"kafka", "msk"}}, 1);
  put(list, kafka_lag_metrics::kGroupLag, kGroup, 120);
  put(list, kafka_lag_metrics::kGroupMaxLagSeconds, kGroup, 4);
  group_status(list, "ok");
  freshness(list, "kafka", 2);
  freshness(list, "warehouse", 9);
  return list;
}

PipelineDef orders() {
  PipelineDef p;
  p.name = "orders";
  p.postgres = "shop";
  p.slot = "debezium";
  p.capture = ConnectorRef{"main", "orders-source"};
  p.kafka = "msk";
  p.sink = ConnectorRef{"main", "orders-snowflake"};
  p.canary = "shop";
  return p;
}

struct Row {
  const char* what;
  std::function<void(ReadingList&)> change;
  std::array<HopStatus, 6> expected;  // source, slot, capture, kafka, sink, warehouse
  std::map<std::string, bool> stalled = {};
  const char* reason = "";  // in the first non-ok hop's reason
};

std::vector<HopVerdict> judge(const Row& row, const PipelineDef& pipeline = orders()) {
  ReadingList list = healthy();
  row.change(list);
  Readings readings;
  for (const auto& reading : list) readings.set(*reading.def, reading.labels, reading.value);
  ReadingsStore store;
  store.publish("all", readings);
  auto hops = judge_hops(pipeline, store, row.stalled);
  blame_upstream(hops);
  return hops;
}

const Row kRows[] = {
    {"a healthy pipeline", [](ReadingList&) {}, {ok, ok, ok, ok, ok, ok}},
    {"nothing read yet: unknown, never ok",
     [](ReadingList& l) { l.clear(); },
     {unknown, unknown, unknown, unknown, unknown, unknown},
     {},
     "no reading from PostgreSQL shop yet"},
    {"PostgreSQL outage: the source is blamed, the slot is out of sight, stale canaries wait",
     [](ReadingList& l) {
       postgres_down(l);
       freshness(l, "kafka", 900);
       freshness(l, "warehouse", 900);
     },
     {failing, unknown, unknown, ok, ok, unknown},
     {},
     "PostgreSQL shop does not answer"},
    {"the slot was dropped",
     [](ReadingList& l) {
       drop(l, slot_metrics::kRetained);
       drop(l, slot_metrics::kActive);
       drop(l, slot_metrics::kInactiveSeconds);
       drop(l, slot_metrics::kWalStatus);
     },
     {ok, failing, ok, ok, ok, ok},
     {},
     "slot debezium is not on postgres shop"},
    {"WAL lost",
     [](ReadingList& l) {
       put(l, slot_metrics::kWalStatus, with(kSlot, "status", "reserved"), 0);
       put(l, slot_metrics::kWalStatus, with(kSlot, "status", "lost"), 1);
     },
     {ok, failing, ok, ok, ok, ok},
     {},
     "wal_status is lost"},
    {"WAL extended",
     [](ReadingList& l) {
       put(l, slot_metrics::kWalStatus, with(kSlot, "status", "reserved"), 0);
       put(l, slot_metrics::kWalStatus, with(kSlot, "status", "extended"), 1);
     },
     {ok, degraded, ok, ok, ok, ok},
     {},
     "wal_status is extended"},
    {"nobody has held the slot for ten minutes",
     [](ReadingList& l) { put(l, slot_metrics::kInactiveSeconds, kSlot, 600); },
     {ok, degraded, ok, ok, ok, ok},
     {},
     "no consumer has held slot debezium for 600s"},
    {"before the first canary reaches the warehouse it is unknown, not ok (fails before #16)",
     [](ReadingList& l) { no_arrival_yet(l, "warehouse", 9); },
     {ok, ok, ok, ok, ok, unknown},
     {},
     "no canary shop has reached warehouse yet (watching for 9s)"},
    {"no canary at the warehouse in over five minutes of watching is failing",
     [](ReadingList& l) { no_arrival_yet(l, "warehouse", 400); },
     {ok, ok, ok, ok, ok, failing},
     {},
     "no canary shop has reached warehouse yet (watching for 400s)"},
    {"the capture connector speaks for its hop before the first canary reaches Kafka",
     [](ReadingList& l) { no_arrival_yet(l, "kafka", 9); },
     {ok, ok, ok, ok, ok, ok}},
    {"a slot briefly without its consumer is still ok",
     [](ReadingList& l) { put(l, slot_metrics::kInactiveSeconds, kSlot, 30); },
     {ok, ok, ok, ok, ok, ok}},
    {"capture connector FAILED",
     [](ReadingList& l) { connector_state(l, "orders-source", "source", "FAILED", "FAILED"); },
     {ok, ok, failing, ok, ok, ok},
     {},
     "connector orders-source is FAILED"},
    {"a capture task FAILED",
     [](ReadingList& l) { connector_state(l, "orders-source", "source", "RUNNING", "FAILED"); },
     {ok, ok, failing, ok, ok, ok},
     {},
     "a task of connector orders-source is FAILED"},
    {"capture PAUSED",
     [](ReadingList& l) { connector_state(l, "orders-source", "source", "PAUSED", "PAUSED"); },
     {ok, ok, degraded, ok, ok, ok},
     {},
     "connector orders-source is PAUSED"},
    {"capture RUNNING but stalled (Challenge 2)",
     [](ReadingList&) {},
     {ok, ok, failing, ok, ok, ok},
     {{"main/orders-source", true}},
     "RUNNING but stalled"},
    {"capture stopped: only the Kafka canary says so",
     [](ReadingList& l) { freshness(l, "kafka", 400); },
     {ok, ok, failing, ok, ok, ok},
     {},
     "canary shop at kafka is 400s old"},
    {"Connect does not answer and no canary: the capture cannot be seen",
     [](ReadingList& l) {
       put(l, connect_metrics::kUp, {{"connect", "main"}}, 0);
       drop(l, connect_metrics::kState);
       drop(l, connect_metrics::kTasks);
       drop(l, kCanaryFreshness);
     },
     {ok, ok, unknown, ok, ok, unknown},
     {},
     "Kafka Connect main does not answer"},
    {"Connect does not answer, but fresh canaries reach Kafka: capture works",
     [](ReadingList& l) {
       put(l, connect_metrics::kUp, {{"connect", "main"}}, 0);
       drop(l, connect_metrics::kState);
       drop(l, connect_metrics::kTasks);
     },
     {ok, ok, ok, ok, ok, ok}},
    {"Kafka down",
     [](ReadingList& l) {
       put(l, kafka_lag_metrics::kUp, {{"kafka", "msk"}}, 0);
       drop(l, kafka_lag_metrics::kGroupStatus);
       drop(l, kafka_lag_metrics::kGroupLag);
       freshness(l, "warehouse", 400);
     },
     {ok, ok, ok, failing, ok, unknown},
     {},
     "Kafka cluster msk does not answer"},
    {"sink RUNNING while its group stalls (Challenge 4): the warehouse waits on it",
     [](ReadingList& l) {
       group_status(l, "stall");
       freshness(l, "warehouse", 400);
     },
     {ok, ok, ok, ok, failing, unknown},
     {},
     "group connect-orders-snowflake is stall"},
    {"sink group stopped",
     [](ReadingList& l) { group_status(l, "stop"); },
     {ok, ok, ok, ok, failing, ok},
     {},
     "is stop"},
    {"sink group lag growing",
     [](ReadingList& l) { group_status(l, "warning"); },
     {ok, ok, ok, ok, degraded, ok},
     {},
     "is warning"},
    {"sink RUNNING but stalled by the stall rule",
     [](ReadingList&) {},
     {ok, ok, ok, ok, failing, ok},
     {{"main/orders-snowflake", true}},
     "RUNNING but stalled"},
    {"sink task FAILED",
     [](ReadingList& l) { connector_state(l, "orders-snowflake", "sink", "RUNNING", "FAILED"); },
     {ok, ok, ok, ok, failing, ok},
     {},
     "a task of connector orders-snowflake is FAILED"},
    {"the warehouse alone is behind (the slow warehouse)",
     [](ReadingList& l) { freshness(l, "warehouse", 120); },
     {ok, ok, ok, ok, ok, degraded},
     {},
     "canary shop at warehouse is 120s old"},
    {"the warehouse alone is stale (loaded, not visible)",
     [](ReadingList& l) { freshness(l, "warehouse", 400); },
     {ok, ok, ok, ok, ok, failing},
     {},
     "canary shop at warehouse is 400s old"},
    {"Snowflake's own positions keep up (#18)",
     [](ReadingList& l) { sink_positions(l, 0, 5, 0); },
     {ok, ok, ok, ok, ok, ok}},
    {"Snowflake's position stopped while records wait (#18)",
     [](ReadingList& l) { sink_positions(l, 400, 500, 0); },
     {ok, ok, ok, ok, ok, failing},
     {},
     "Snowflake's position for sink orders-sf has not moved for 400s"},
    {"Snowflake is far behind (#18)",
     [](ReadingList& l) { sink_positions(l, 30, 900, 0); },
     {ok, ok, ok, ok, ok, degraded},
     {},
     "sink orders-sf is 900s behind in Snowflake"},
    {"the group committed past Snowflake (#18)",
     [](ReadingList& l) { sink_positions(l, 0, 0, 12); },
     {ok, ok, ok, ok, ok, degraded},
     {},
     "the group of sink orders-sf is ahead of Snowflake"},
    {"positions of a sink cdcwatch cannot read say nothing (#18)",
     [](ReadingList& l) {
       sink_positions(l, 400, 900, 12);
       put(l, sink_metrics::kUp, {{"sink", "orders-sf"}}, 0);
     },
     {ok, ok, ok, ok, ok, ok}},
};

TEST(HopRules, EachRowOfReadingsGivesEveryHopItsStatus) {
  for (const auto& row : kRows) {
    auto hops = judge(row);
    ASSERT_EQ(hops.size(), 6u);
    std::string first_reason;
    for (size_t i = 0; i < hops.size(); ++i) {
      EXPECT_EQ(hops[i].hop, kHops[i]);
      EXPECT_EQ(to_string(hops[i].status), std::string(to_string(row.expected[i])))
          << row.what << ": hop " << to_string(hops[i].hop) << " (" << hops[i].reason << ")";
      if (first_reason.empty() && hops[i].status != HopStatus::kOk) first_reason = hops[i].reason;
    }
    EXPECT_NE(first_reason.find(row.reason), std::string::npos)
        << row.what << ": first non-ok reason was '" << first_reason << "'";
  }
}

TEST(HopRules, EachHopLeadsWithTheReadingAPageDrawsOnIt) {
  auto hops = judge(kRows[0]);
  EXPECT_EQ(hops[0].readings.front().metric, slot_metrics::kUp.name);
  EXPECT_EQ(hops[1].readings.front().metric, slot_metrics::kRetained.name);
  EXPECT_EQ(hops[1].readings.front().value, 4'000'000);
  EXPECT_EQ(hops[2].readings.front().metric, slot_metrics::kFlushLagSeconds.name);
  EXPECT_EQ(hops[3].readings.front().metric, kafka_lag_metrics::kGroupLag.name);
  EXPECT_EQ(hops[4].readings.front().metric, kafka_lag_metrics::kGroupMaxLagSeconds.name);
  EXPECT_EQ(hops[5].readings.front().metric, kCanaryFreshness.name);
  EXPECT_EQ(hops[5].readings.front().value, 9);
}

TEST(HopRules, APipelineWithoutCanaryOrConnectorsIsUnknownThereNotOk) {
  PipelineDef bare;
  bare.name = "bare";
  bare.postgres = "shop";
  bare.slot = "debezium";
  auto hops = judge(kRows[0], bare);
  EXPECT_EQ(hops[0].status, HopStatus::kOk);
  EXPECT_EQ(hops[1].status, HopStatus::kOk);
  for (size_t i = 2; i < hops.size(); ++i) {
    EXPECT_EQ(hops[i].status, HopStatus::kUnknown) << to_string(hops[i].hop);
  }
  EXPECT_EQ(hops[5].reason, "no canary watches this pipeline's warehouse");
}

TEST(HopRules, WithoutACanaryTheWarehouseIsJudgedBySnowflakesOwnPositions) {
  PipelineDef no_canary = orders();
  no_canary.canary.reset();
  Row row{"positions only", [](ReadingList& l) { sink_positions(l, 0, 5, 0); }, {}};
  auto hops = judge(row, no_canary);
  EXPECT_EQ(hops[5].status, HopStatus::kOk) << hops[5].reason;
  EXPECT_EQ(hops[5].reason, "Snowflake keeps up with sink orders-sf");
}

TEST(HopStatusOrder, APipelineIsAsBadAsItsWorstHop) {
  EXPECT_EQ(worst(HopStatus::kOk, HopStatus::kUnknown), HopStatus::kUnknown);
  EXPECT_EQ(worst(HopStatus::kUnknown, HopStatus::kDegraded), HopStatus::kDegraded);
  EXPECT_EQ(worst(HopStatus::kFailing, HopStatus::kDegraded), HopStatus::kFailing);
}

}  // namespace
}  // namespace cdcwatch
