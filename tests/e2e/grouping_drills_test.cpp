// Pipeline incidents end to end (#16): the agent, with its default `alerts.grouping: pipeline`,
// watches the pipeline simulator and pages a local PagerDuty. Each incident of the case study opens
// exactly one PagerDuty incident, under the pipeline's dedup_key, naming the hop that broke (the
// most upstream failing one), listed by /status and /api/pipelines, and resolved after healing;
// a PostgreSQL outage is one incident on the source hop, not one per stage.
#include <gtest/gtest.h>

#include <functional>

#include "agent/http/http_client.h"
#include "tests/support/eventually.h"
#include "tests/support/watched_pipeline.h"

namespace cdcwatch {
namespace {

using namespace std::chrono_literals;
using testing::Fault;

// The simulator's Debezium source has topic.prefix "shop": the derived pipeline's name.
const std::string kDedupKey = "CdcPipelineIncident:pipeline=shop";

struct GroupingDrill : ::testing::Test, testing::WatchedPipeline {
  // Fresh at the warehouse, and every hop of the pipeline read ok: the pipeline is formed whole.
  // Fresh alone was not enough under load: a PostgreSQL stopped in the agent's first second, before
  // the stage had seen its slot, left the pipeline without its source, and the outage's alerts
  // outside it.
  bool healthy() {
    return testing::eventually(
        [&] {
          auto freshness = warehouse_freshness();
          if (!freshness || *freshness >= 5 || sim.events_loaded() == 0) return false;
          auto pipelines = api_pipelines();
          if (!pipelines.is_object() || pipelines["pipelines"].size() != 1) return false;
          for (const auto& hop : pipelines["pipelines"][0]["hops"]) {
            if (hop.value("status", "") != "ok") return false;
          }
          return true;
        },
        120s);
  }
  std::optional<nlohmann::json> last_trigger() {
    std::optional<nlohmann::json> last;
    for (const auto& event : pagerduty.accepted()) {
      if (event.value("event_action", "") == "trigger") last = event;
    }
    return last;
  }
  nlohmann::json api_pipelines() {
    HttpRequest request;
    request.url = "http://127.0.0.1:" + std::to_string(agent->port()) + "/api/pipelines";
    return nlohmann::json::parse(send_http(request).body, nullptr, false);
  }
  std::string pages() { return nlohmann::json(pagerduty.accepted()).dump(2); }

  void drill(const std::function<void(bool broken)>& fault, const std::string& hop) {
    ASSERT_TRUE(healthy()) << api_pipelines().dump(2);
    ASSERT_TRUE(pagerduty.accepted().empty()) << "a healthy pipeline pages nothing: " << pages();
    fault(true);
    ASSERT_TRUE(testing::eventually(
        [&] {
          auto trigger = last_trigger();
          return trigger && (*trigger)["payload"]["component"] == hop;
        },
        120s))
        << "no page names the " << hop << " hop; pages: " << pages()
        << "\npipelines: " << api_pipelines().dump(2);
    nlohmann::json trigger = *last_trigger();
    EXPECT_EQ(trigger["dedup_key"], kDedupKey);
    EXPECT_EQ(trigger["payload"]["custom_details"]["root_hop"], hop);
    EXPECT_FALSE(trigger["payload"]["custom_details"]["symptoms"].empty());
    std::string summary = trigger["payload"]["summary"];
    // "is failing" once the stage reads the hop failing; "alerts" while only its alerts say so (a
    // stopped capture: its connector still RUNNING, the canary at Kafka stale).
    bool failing = trigger["payload"]["custom_details"]["root_hop_failing"];
    EXPECT_TRUE(
        summary.starts_with("shop: the " + hop + (failing ? " hop is failing" : " hop alerts")))
        << summary;
    nlohmann::json listed = api_pipelines()["pipelines"][0]["incident"];
    EXPECT_EQ(listed["dedup_key"], kDedupKey) << listed.dump(2);
    EXPECT_EQ(agent->status()["pipelines"][0]["incident"]["dedup_key"], kDedupKey);

    fault(false);
    EXPECT_TRUE(testing::eventually(
        [&] { return !pagerduty.incidents().empty() && !pagerduty.incidents().back().open; }, 180s))
        << "the incident did not resolve after healing; pages: " << pages();
    for (const auto& event : pagerduty.accepted()) {
      EXPECT_EQ(event["dedup_key"], kDedupKey) << "a page outside the incident: " << event.dump();
    }
    EXPECT_EQ(pagerduty.incidents().size(), 1u) << "exactly one incident; pages: " << pages();
    EXPECT_EQ(pagerduty.rejected_count(), 0);
    EXPECT_TRUE(api_pipelines()["pipelines"][0]["incident"].is_null());
  }
  std::function<void(bool)> simulated(Fault fault) {
    return [this, fault](bool broken) { sim.set_fault(fault, broken); };
  }
};

TEST_F(GroupingDrill, ASinkRunningButStalledIsOneIncidentOnTheSinkHop) {
  drill(simulated(Fault::kSinkStalled), "sink");
}

TEST_F(GroupingDrill, StoppedCaptureIsOneIncidentOnTheCaptureHop) {
  drill(simulated(Fault::kCaptureStopped), "capture");
}

TEST_F(GroupingDrill, AFailedSinkTaskIsOneIncidentOnTheSinkHop) {
  drill(simulated(Fault::kSinkTaskFailed), "sink");
}

TEST_F(GroupingDrill, BrokersDownIsOneIncidentOnTheKafkaHop) {
  drill(simulated(Fault::kBrokersDown), "kafka");
}

TEST_F(GroupingDrill, APostgresOutageIsOneIncidentOnTheSourceHop) {
  drill(
      [this](bool broken) {
        if (broken) {
          sim.postgres().stop();
        } else {
          sim.postgres().start();
        }
      },
      "source");
}

}  // namespace
}  // namespace cdcwatch
