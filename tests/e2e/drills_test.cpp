// End-to-end incident drills: the agent watches the pipeline simulator (PostgreSQL, capture,
// Kafka, sink, warehouse, Connect REST) and pages a local PagerDuty. For each fault of the case
// study the expected alert pages, names the right stage, and resolves after healing; a healthy
// pipeline under load pages nothing. Intervals are 1 s and thresholds shortened (the shipped
// defaults are in alerts/rules.yml). Each drill asserts its page arrives within the rule's bound
// (threshold + for + two intervals + the request timeout), with a fixed allowance for a loaded CI
// machine; the detection times themselves are measured in bench/detection_bench.
#include <gtest/gtest.h>

#include "agent/app/agent.h"
#include "agent/app/config.h"
#include "tests/support/child_process.h"
#include "tests/support/drill_config.h"
#include "tests/support/eventually.h"
#include "tests/support/pagerduty_server.h"
#include "tests/support/pipeline_simulator.h"
#include "tests/support/watched_pipeline.h"

namespace cdcwatch {
namespace {

using namespace std::chrono_literals;
using testing::Fault;

// Each drill is about one alert (its detection bound and the stage it names), so the agent pages
// one incident per alert; tests/e2e/grouping_drills_test.cpp drills the pipeline incidents.
struct Drill : ::testing::Test, testing::WatchedPipeline {
  Drill() : WatchedPipeline(testing::DrillSettings{.grouping = "alert"}) {}
  explicit Drill(testing::WatchedPipeline::Avro avro) : WatchedPipeline(avro) {}
  // The pipeline flows end to end: a fresh canary reached the warehouse.
  bool healthy() {
    return testing::eventually(
        [&] {
          auto freshness = warehouse_freshness();
          return freshness && *freshness < 5;
        },
        60s);
  }
  std::optional<nlohmann::json> trigger_of(const std::string& alert) {
    for (const auto& event : pagerduty.accepted()) {
      if (event.contains("payload") && event["payload"].value("class", "") == alert) return event;
    }
    return std::nullopt;
  }
  // The drill config's interval and request timeout (tests/support/drill_config.cpp), and what a
  // busy 2-core machine running two suites at once may add.
  static constexpr double kInterval = 1, kRequestTimeout = 1, kAllowance = 5;

  void drill(Fault fault, const std::string& alert, const std::string& stage,
             double threshold_and_for) {
    ASSERT_TRUE(healthy()) << agent->metrics_text().substr(0, 2000);
    EXPECT_TRUE(pagerduty.accepted().empty())
        << "a healthy pipeline pages nothing: " << nlohmann::json(pagerduty.accepted()).dump();
    ASSERT_EQ(pagerduty.rejected_count(), 0);
    auto injected = std::chrono::steady_clock::now();
    sim.set_fault(fault, true);
    ASSERT_TRUE(testing::eventually([&] { return pagerduty.has_event(alert, "trigger"); }, 90s))
        << alert << " did not page; pages: " << nlohmann::json(pagerduty.accepted()).dump();
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - injected).count();
    EXPECT_LE(seconds, threshold_and_for + 2 * kInterval + kRequestTimeout + kAllowance)
        << alert << " paged later than its bound";
    auto trigger = *trigger_of(alert);
    EXPECT_EQ(trigger["payload"]["component"], stage);
    EXPECT_NE(trigger["links"][0].value("href", "").find("runbooks/"), std::string::npos);
    sim.set_fault(fault, false);
    EXPECT_TRUE(testing::eventually([&] { return pagerduty.has_event(alert, "resolve"); }, 90s))
        << alert << " did not resolve after healing";
  }
};

TEST_F(Drill, AHealthyPipelineUnderLoadPagesNothing) {
  ASSERT_TRUE(healthy());
  std::this_thread::sleep_for(15s);
  EXPECT_TRUE(pagerduty.accepted().empty()) << nlohmann::json(pagerduty.accepted()).dump();
  EXPECT_EQ(pagerduty.rejected_count(), 0) << "a rejected page would hide a real one";
  EXPECT_GT(sim.events_loaded(), 20) << "the workload flowed to the warehouse";
}

TEST_F(Drill, ASinkRunningButStalledPagesTheWarehouseStage) {
  drill(Fault::kSinkStalled, "CdcCanaryStaleAtWarehouse", "warehouse", 10);
}

TEST_F(Drill, StoppedCapturePagesTheCaptureStage) {
  drill(Fault::kCaptureStopped, "CdcCanaryStaleAtKafka", "capture", 10);
}

TEST_F(Drill, AFailedSinkTaskPagesWithTheTask) {
  drill(Fault::kSinkTaskFailed, "CdcConnectorTaskFailed", "capture", 0);
}

TEST_F(Drill, BrokersDownPagesKafka) { drill(Fault::kBrokersDown, "CdcKafkaDown", "kafka", 2); }

TEST_F(Drill, ASlowWarehousePagesTheWarehouseStage) {
  drill(Fault::kWarehouseSlow, "CdcCanaryStaleAtWarehouse", "warehouse", 10);
}

TEST_F(Drill, APostgresRestartIsRiddenOutWithoutAPageOrAStuckProbe) {
  ASSERT_TRUE(healthy());
  auto written_seq = [&] {
    return testing::series_value(agent->metrics_text(),
                                 "cdcwatch_canary_last_written_seq{canary=\"shop\"}")
        .value_or(0);
  };
  double before = written_seq();
  sim.restart_postgres();
  EXPECT_TRUE(testing::eventually([&] { return written_seq() >= before + 3; }, 60s))
      << "the canary writer reconnected and writes again";
  EXPECT_TRUE(healthy()) << "the canary flows end to end again after the restart";
  std::string text = agent->metrics_text();
  EXPECT_NE(text.find("cdcwatch_pg_up{source=\"shop\"} 1"), std::string::npos);
  EXPECT_NE(text.find("cdcwatch_probe_up{probe=\"canary/shop/writer\"} 1"), std::string::npos);
  EXPECT_TRUE(pagerduty.accepted().empty())
      << "a restart shorter than every threshold pages nothing: "
      << nlohmann::json(pagerduty.accepted()).dump();
  EXPECT_EQ(pagerduty.rejected_count(), 0);
}

// Issue #20: Debezium's events in Confluent's Avro wire format with a Schema Registry. The agent's
// kafka: entry has schema_registry:, so the canary's Kafka stage is watched through Avro, across a
// schema evolution (a second schema id on the canary topic), and a stopped capture pages there.
struct AvroDrill : Drill {
  AvroDrill() : Drill(testing::WatchedPipeline::Avro{.grouping = "alert"}) {}
  std::optional<double> series(const std::string& name) const {
    return testing::series_value(agent->metrics_text(), name);
  }
};

TEST_F(AvroDrill, StoppedCapturePagesTheCaptureStageWithEventsInAvro) {
  auto kafka_seq = [&] {
    return series("cdcwatch_canary_last_seen_seq{canary=\"shop\",stage=\"kafka\"}").value_or(0);
  };
  ASSERT_TRUE(testing::eventually([&] { return kafka_seq() > 0; }, 60s))
      << "the canary's Kafka stage reads the Avro events: "
      << agent->metrics_text().substr(0, 3000);
  ASSERT_EQ(sim.canary_schema_ids().size(), 1u);

  double before_evolution = kafka_seq();
  sim.add_canary_column();
  EXPECT_TRUE(testing::eventually(
      [&] { return sim.canary_schema_ids().size() == 2 && kafka_seq() >= before_evolution + 3; },
      60s))
      << "events of the evolved schema (a second id) are read too";
  EXPECT_EQ(series("cdcwatch_canary_events_total{canary=\"shop\",result=\"unparsable\"}"), 0);
  EXPECT_EQ(series("cdcwatch_canary_schema_registry_errors_total{canary=\"shop\",reason=\"http\"}"),
            0);

  drill(Fault::kCaptureStopped, "CdcCanaryStaleAtKafka", "capture", 10);
}

}  // namespace
}  // namespace cdcwatch
