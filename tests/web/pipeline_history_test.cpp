// The sparkline history behind GET /api/pipelines/history (agent/app/pipeline_history.h): one
// sample per step, bounded per series and in pipelines, unknown kept as null, gone pipelines
// forgotten.
#include "agent/app/pipeline_history.h"

#include <gtest/gtest.h>

namespace cdcwatch {
namespace {

using namespace std::chrono_literals;

const TimePoint kStart{std::chrono::seconds(1'700'000'000)};

nlohmann::json pipeline(const std::string& name, nlohmann::json freshness, double sink_lag) {
  return {{"name", name},
          {"freshness_seconds", freshness},
          {"hops",
           {{{"hop", "sink"}, {"key_reading", {{"value", sink_lag}, {"unit", "seconds"}}}},
            {{"hop", "source"}, {"key_reading", nullptr}}}}};
}

const nlohmann::json& points(const nlohmann::json& history, const std::string& name,
                             const std::string& hop) {
  const auto& kept = history["pipelines"][name];
  return hop == "freshness" ? kept["freshness"]["points"] : kept["hops"][hop]["points"];
}

TEST(PipelineHistory, KeepsOneSamplePerStepWithItsTimeAndValue) {
  PipelineHistory history(1h, 10s);
  history.record(kStart, nlohmann::json::array({pipeline("orders", 4.0, 1.5)}));
  history.record(kStart + 3s, nlohmann::json::array({pipeline("orders", 99.0, 99.0)}));
  history.record(kStart + 10s, nlohmann::json::array({pipeline("orders", 6.0, 2.5)}));
  nlohmann::json json = history.json();
  EXPECT_EQ(json["step_seconds"], 10);
  EXPECT_EQ(json["span_seconds"], 3600);
  EXPECT_EQ(points(json, "orders", "freshness"),
            nlohmann::json::parse("[[1700000000.0, 4.0], [1700000010.0, 6.0]]"));
  EXPECT_EQ(points(json, "orders", "sink"),
            nlohmann::json::parse("[[1700000000.0, 1.5], [1700000010.0, 2.5]]"));
  EXPECT_EQ(json["pipelines"]["orders"]["hops"]["sink"]["unit"], "seconds");
}

TEST(PipelineHistory, AnUnknownValueIsNullNotZero) {
  PipelineHistory history(1h, 10s);
  history.record(kStart, nlohmann::json::array({pipeline("orders", nullptr, 1.0)}));
  nlohmann::json json = history.json();
  EXPECT_TRUE(points(json, "orders", "freshness")[0][1].is_null());
  EXPECT_TRUE(points(json, "orders", "source")[0][1].is_null());
}

TEST(PipelineHistory, KeepsAtMostSpanOverStepSamplesPerSeries) {
  PipelineHistory history(1h, 10s);
  for (int i = 0; i < 500; ++i) {
    history.record(kStart + i * 10s, nlohmann::json::array({pipeline("orders", i, i)}));
  }
  nlohmann::json json = history.json();
  ASSERT_EQ(points(json, "orders", "sink").size(), 360u);
  EXPECT_EQ(points(json, "orders", "sink").back()[1], 499.0);
  EXPECT_EQ(points(json, "orders", "sink").front()[1], 140.0);
}

TEST(PipelineHistory, ForgetsAPipelineGoneForASpanAndBoundsHowManyItKeeps) {
  PipelineHistory history(1h, 10s);
  nlohmann::json many = nlohmann::json::array();
  for (size_t i = 0; i < PipelineHistory::kMaxPipelines + 5; ++i) {
    many.push_back(pipeline("p" + std::to_string(i), 1.0, 1.0));
  }
  history.record(kStart, many);
  EXPECT_EQ(history.json()["pipelines"].size(), PipelineHistory::kMaxPipelines);
  history.record(kStart + 3601s, nlohmann::json::array({pipeline("orders", 1.0, 1.0)}));
  nlohmann::json json = history.json();
  EXPECT_EQ(json["pipelines"].size(), 1u);
  EXPECT_TRUE(json["pipelines"].contains("orders"));
}

TEST(PipelineHistory, IgnoresMalformedEntries) {
  PipelineHistory history(1h, 10s);
  history.record(
      kStart, nlohmann::json::parse(R"([1, {"name": 2}, {"name": "x", "hops": [3, {"hop": 4}]}])"));
  nlohmann::json json = history.json();
  EXPECT_EQ(json["pipelines"].size(), 1u);
  EXPECT_TRUE(json["pipelines"]["x"]["hops"].empty());
}

}  // namespace
}  // namespace cdcwatch
