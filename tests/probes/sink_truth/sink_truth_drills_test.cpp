// Drills: the pipeline simulator's sink keeps Snowpipe Streaming offset tokens as the Snowflake
// connector does, the local Snowflake SQL API shows them through SHOW CHANNELS, and the
// sink-truth probe (with the real lag and Connect probes beside it) reads them; the shipped
// alerts/rules.yml judges the readings on a fake clock advanced one probe interval per cycle, so
// paging bounds (threshold + for + two intervals) are checked without waiting minutes.
#include <gtest/gtest.h>

#include <ctime>

#include "agent/alerting/alert_evaluator.h"
#include "agent/alerting/rule_set.h"
#include "probes/connect/connect_probe.h"
#include "probes/sink_truth/sink_metrics.h"
#include "tests/probes/sink_truth/sink_truth_fixture.h"
#include "tests/support/eventually.h"
#include "tests/support/pipeline_simulator.h"

namespace cdcwatch {
namespace {

using namespace std::chrono_literals;
using namespace sink_metrics;
using testing::PipelineSimulator;

constexpr auto kInterval = 1min;
const char* kGroup = "connect-warehouse-sink";

struct Drill : SinkTruthFixture {
  explicit Drill(PipelineSimulator::Options options)
      : SinkTruthFixture(""), sim(options), lag(lag_config(), Millis(60000)) {
    // The simulated sink's channels, named as connector 4.x names them.
    snowflake.on_channels([this] {
      std::vector<testing::SnowflakeServer::Channel> channels;
      for (const auto& c : sim.sink_channels()) {
        channels.push_back({std::string(PipelineSimulator::kSinkConnector) + "_" + c.topic + "_" +
                                std::to_string(c.partition),
                            "ANALYTICS", "PUBLIC", c.topic, std::to_string(c.offset_token)});
      }
      return channels;
    });
  }
  KafkaClusterConfig lag_config() const {
    KafkaClusterConfig c;
    c.name = "main";
    c.bootstrap_servers = sim.bootstrap();
    c.consumer_groups = {kGroup};
    c.request_timeout = Millis(3000);
    return c;
  }
  SinkTruthProbe sink_probe(Ingestion ingestion = Ingestion::kStreaming,
                            std::optional<std::string> connect = std::nullopt) const {
    KafkaClusterConfig kafka = lag_config();
    SinkConfig sink = sink_config(PipelineSimulator::kSinkConnector, ingestion, connect);
    return SinkTruthProbe(sink, kafka, snowflake_config());
  }
  // One cycle of the lag probe and the sink probe, then the shipped rules: the alerts triggered.
  std::vector<std::string> cycle(SinkTruthProbe& sink) {
    collect(lag);
    last = collect(sink);
    std::vector<std::string> triggered;
    for (const auto& event : evaluator.evaluate(store, clock.now(), true)) {
      if (event.action == AlertEvent::Action::kTrigger) triggered.push_back(event.alert);
    }
    return triggered;
  }
  // Advances one interval per cycle until `alert` triggers; the fake time it took, or nullopt
  // after `cycles`.
  std::optional<std::chrono::seconds> time_to_page(SinkTruthProbe& sink, const std::string& alert,
                                                   int cycles) {
    TimePoint start = clock.now();
    for (int i = 0; i < cycles; ++i) {
      clock.advance(kInterval);
      auto triggered = cycle(sink);
      if (std::find(triggered.begin(), triggered.end(), alert) != triggered.end())
        return std::chrono::duration_cast<std::chrono::seconds>(clock.now() - start);
    }
    return std::nullopt;
  }
  std::optional<double> sink_value(const MetricDef& def, const Labels& labels) const {
    return last.readings.value(def.name, labels);
  }

  PipelineSimulator sim;
  KafkaLagProbe lag;
  AlertEvaluator evaluator{default_rules(), EvaluatorOptions{}};
  CollectOutcome last;
};

// The partitions of `topic` the sink has a channel for.
std::vector<int> channel_partitions(const PipelineSimulator& sim, const std::string& topic) {
  std::vector<int> out;
  for (const auto& c : sim.sink_channels()) {
    if (c.topic == topic) out.push_back(c.partition);
  }
  return out;
}

TEST(SinkTruthDrills, AnIdleTopicReadsZeroAtTheWarehouseWhileTheGroupReadsOne) {
  // The sink commits its channels' tokens to Kafka (#921): customers is loaded once at start and
  // then idle, so every one of its partitions stays one record behind in the group's eyes.
  Drill drill({.orders_per_second = 2, .sink_commits_token = true});
  auto sink = drill.sink_probe();
  const std::string topic = "shop.public.customers";
  // Six new customers, then nothing: the topic goes idle once the sink has loaded them.
  drill.sim.postgres().exec(
      "INSERT INTO customers (name) SELECT 'idle ' || g FROM generate_series(1, 6) g", "shop");
  bool seen = testing::eventually(
      [&] {
        drill.cycle(sink);
        auto partitions = channel_partitions(drill.sim, topic);
        if (partitions.empty()) return false;
        for (int p : partitions) {
          Labels group = {{"kafka", "main"},
                          {"group", kGroup},
                          {"topic", topic},
                          {"partition", std::to_string(p)}};
          if (drill.store.first_value("cdcwatch_kafka_consumer_lag_messages", group) != 1.0 ||
              drill.sink_value(kLagMessages, SinkTruthFixture::partition(topic, p)) != 0.0 ||
              drill.sink_value(kLagSeconds, SinkTruthFixture::partition(topic, p)) != 0.0) {
            return false;
          }
        }
        return true;
      },
      90s);
  std::string seen_values;
  for (const auto& family : drill.last.readings.families()) {
    for (const auto& series : family.series) {
      if (label_value(series.labels, "topic") != topic) continue;
      seen_values += family.name + " p" + label_value(series.labels, "partition").value_or("") +
                     " = " + std::to_string(series.value) + "\n";
    }
  }
  for (const auto& series :
       drill.store.find("cdcwatch_kafka_consumer_lag_messages", {{"topic", topic}}))
    seen_values += "group lag p" + label_value(series.labels, "partition").value_or("") + " = " +
                   std::to_string(series.value) + "\n";
  EXPECT_TRUE(seen) << drill.last.error_message << "\n" << seen_values;
}

TEST(SinkTruthDrills, ASinkCommittingWithoutVisibleRowsIsCaughtAsGroupAhead) {
  Drill drill({.orders_per_second = 5});
  auto sink = drill.sink_probe();
  ASSERT_TRUE(testing::eventually(
      [&] { return !channel_partitions(drill.sim, "shop.public.orders").empty(); }, 90s));
  drill.sim.set_fault(testing::Fault::kSinkCommitsInvisible, true);
  // The group moves on past the tokens as orders keep coming.
  ASSERT_TRUE(testing::eventually(
      [&] {
        drill.cycle(sink);
        auto ahead = drill.sink_value(kGroupAheadTotal, {{"sink", "orders-snowflake"}});
        return ahead && *ahead > 0;
      },
      60s))
      << drill.last.error_message;
  // Held for `for: 5m`, it pages within 5m + two intervals.
  auto paged = drill.time_to_page(sink, "CdcSinkGroupAheadOfWarehouse", 10);
  ASSERT_TRUE(paged);
  EXPECT_LE(*paged, 5min + 2 * kInterval);
}

TEST(SinkTruthDrills, AStalledStreamingSinkPagesWithinItsBound) {
  Drill drill({.orders_per_second = 5});
  auto sink = drill.sink_probe();
  ASSERT_TRUE(testing::eventually(
      [&] { return !channel_partitions(drill.sim, "shop.public.orders").empty(); }, 90s));
  drill.sim.set_fault(testing::Fault::kSinkStalled, true);
  // Records wait behind the frozen tokens (orders keep coming): the stall starts here.
  ASSERT_TRUE(testing::eventually(
      [&] {
        drill.cycle(sink);
        for (int p : channel_partitions(drill.sim, "shop.public.orders")) {
          auto lag =
              drill.sink_value(kLagMessages, SinkTruthFixture::partition("shop.public.orders", p));
          if (lag && *lag > 0) return true;
        }
        return false;
      },
      60s))
      << drill.last.error_message;
  auto paged = drill.time_to_page(sink, "CdcSinkWarehouseStalled", 12);
  ASSERT_TRUE(paged) << "no page in 12 intervals";
  EXPECT_LE(*paged, 5min + 2 * kInterval);  // above 5m, for 0s, two intervals
  // And the group's own stall view is not what paged: the rule reads Snowflake's positions.
  EXPECT_GT(*drill.sink_value(kSinceProgressMax, {{"sink", "orders-snowflake"}}), 300);
}

std::string iso8601(TimePoint t) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S.000Z", std::gmtime(&seconds));
  return text;
}

TEST(SinkTruthDrills, AFileBasedPipeWithGrowingPendingFilesPages) {
  // The simulator's sink stands in for the file-based connector: the Connect worker has its
  // config (topics.regex), and the local Snowflake has a pipe per table and partition, named as
  // Utils.pipeName names them. One pipe stops loading while files keep arriving.
  Drill drill({.orders_per_second = 2});
  ConnectProbe connect({.name = "main", .url = drill.sim.connect_url()}, nullptr, Millis(60000));
  drill.collect(connect);
  auto sink = drill.sink_probe(Ingestion::kSnowpipe, "main");
  std::vector<std::string> pipes;
  for (const char* table : {"customers", "products", "orders", "line_items", "cdcwatch_canary"}) {
    std::string topic = std::string("shop.public.") + table;
    for (int p = 0; p < 3; ++p) {
      pipes.push_back(
          std::string(SinkTruthFixture::kSchema) + "." +
          snowpipe_pipe_name(PipelineSimulator::kSinkConnector, table_for_topic(topic, {}), p));
    }
  }
  std::string stuck = pipes[7];
  std::string last_ingest = iso8601(drill.clock.now());
  for (const auto& pipe : pipes)
    drill.snowflake.set_pipe(pipe, {.last_ingested_timestamp = last_ingest});
  drill.cycle(sink);
  ASSERT_TRUE(drill.last.ok()) << drill.last.error_message;
  Labels stuck_labels = {{"sink", "orders-snowflake"}, {"pipe", stuck}};
  EXPECT_EQ(drill.sink_value(kPendingFiles, stuck_labels), 0);

  TimePoint start = drill.clock.now();
  std::optional<std::chrono::seconds> paged;
  for (int i = 1; i <= 15 && !paged; ++i) {
    drill.snowflake.set_pipe(stuck, {.pending_files = i, .last_ingested_timestamp = last_ingest});
    drill.clock.advance(kInterval);
    auto triggered = drill.cycle(sink);
    if (std::find(triggered.begin(), triggered.end(), "CdcSinkPipePendingFilesGrowing") !=
        triggered.end()) {
      paged = std::chrono::duration_cast<std::chrono::seconds>(drill.clock.now() - start);
    }
  }
  ASSERT_TRUE(paged) << "no page in 15 intervals; " << drill.last.error_message;
  EXPECT_LE(*paged, 10min + 2 * kInterval);  // above 10m, for 0s, two intervals
  EXPECT_GT(*drill.sink_value(kPendingFiles, stuck_labels), 9);
  // The healthy pipes do not page: nothing pending.
  EXPECT_EQ(drill.sink_value(kPipeStuckSeconds, {{"sink", "orders-snowflake"}, {"pipe", pipes[0]}}),
            0);
}

}  // namespace
}  // namespace cdcwatch
