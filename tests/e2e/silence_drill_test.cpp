// A silence during a case-study incident, on the pipeline simulator (Challenge 4: the Snowflake
// sink RUNNING but stalled), with the default `alerts.grouping: pipeline`: `pipeline=shop` holds
// the pipeline's incident while its alerts fire and show as silenced; the silence is expired while
// the sink is still stalled, and the pipeline incident pages then; healing resolves it. The silence
// is written as `cdcwatch silence add` writes it (agent/silences/silence_file.h).
#include <gtest/gtest.h>

#include "agent/silences/silence_file.h"
#include "tests/support/eventually.h"
#include "tests/support/watched_pipeline.h"

namespace cdcwatch {
namespace {

using namespace std::chrono_literals;
using testing::Fault;

struct SilenceDrill : ::testing::Test, testing::WatchedPipeline {
  std::string silences_file() const {
    return agent->status()["alerts"]["suppression"]["silences_file"].get<std::string>();
  }
  // The instance of `alert`, as /status shows it, or null.
  nlohmann::json active(const std::string& alert) const {
    nlohmann::json status = agent->status();
    for (const auto& instance : status["alerts"]["active"]) {
      if (instance.value("alert", "") == alert) return instance;
    }
    return nullptr;
  }
  // The simulator's Debezium source has topic.prefix "shop": the derived pipeline's name.
  bool paged() const {
    for (const auto& event : pagerduty.accepted()) {
      if (event["dedup_key"] == "CdcPipelineIncident:pipeline=shop" &&
          event["event_action"] == "trigger")
        return true;
    }
    return false;
  }
};

TEST_F(SilenceDrill, AStalledSinkUnderASilencePagesOnlyWhenTheSilenceIsExpired) {
  ASSERT_TRUE(testing::eventually(
      [&] {
        auto freshness = warehouse_freshness();
        return freshness && *freshness < 5 && sim.events_loaded() > 0;
      },
      60s));
  TimePoint now = std::chrono::system_clock::now();
  Silence silence{new_silence_id(), parse_matcher("pipeline=shop"), now,
                  now + 1h,         "drill: re-keying the sink",    now};
  write_silences(silences_file(), {silence}, now);

  sim.set_fault(Fault::kSinkStalled, true);
  ASSERT_TRUE(testing::eventually(
      [&] {
        auto instance = active("CdcCanaryStaleAtWarehouse");
        return instance.is_object() && instance["state"] == "firing";
      },
      90s))
      << agent->status()["alerts"].dump(2);
  auto instance = active("CdcCanaryStaleAtWarehouse");
  EXPECT_EQ(instance["pipeline"], "shop");
  EXPECT_EQ(instance["suppressed_by"], nlohmann::json({{"silence", silence.id}}));
  EXPECT_NE(
      agent->metrics_text().find("cdcwatch_alert_silenced{alert=\"CdcCanaryStaleAtWarehouse\""),
      std::string::npos);
  EXPECT_TRUE(pagerduty.accepted().empty()) << nlohmann::json(pagerduty.accepted()).dump();

  silence.ends_at = std::chrono::system_clock::now();  // as `cdcwatch silence expire` does
  write_silences(silences_file(), {silence}, silence.ends_at);
  ASSERT_TRUE(testing::eventually([&] { return paged(); }, 30s))
      << "the sink still stalls: the page comes once the silence is over";
  EXPECT_TRUE(
      active("CdcCanaryStaleAtWarehouse").value("suppressed_by", nlohmann::json()).is_null());

  sim.set_fault(Fault::kSinkStalled, false);
  EXPECT_TRUE(testing::eventually(
      [&] { return !pagerduty.incidents().empty() && !pagerduty.incidents().back().open; }, 180s));
  EXPECT_EQ(pagerduty.incidents().size(), 1u);
}

}  // namespace
}  // namespace cdcwatch
