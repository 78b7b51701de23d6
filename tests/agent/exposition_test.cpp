// What /metrics serves: families merged across probes, histogram buckets cumulative, label
// values escaped, and the text parses back to the values that went in.
#include "agent/core/exposition.h"

#include <gtest/gtest.h>

#include <limits>

#include "agent/core/readings_store.h"
#include "tests/support/metrics_text.h"

namespace cdcwatch {
namespace {

const MetricDef kUp{"cdcwatch_pg_up", "1 when the source answers"};
const MetricDef kOther{"cdcwatch_other", "other"};
const MetricDef kLatency{"cdcwatch_canary_latency_seconds", "latency", MetricType::kHistogram};

TEST(Exposition, MergesSameFamilyFromSeveralProbesUnderOneTypeLine) {
  ReadingsStore store;
  Readings a, b;
  a.set(kUp, {{"source", "orders"}}, 1);
  b.set(kUp, {{"source", "billing"}}, 0);
  store.publish("pg_slots/orders", a);
  store.publish("pg_slots/billing", b);
  std::string text = render_prometheus_text(store.snapshot());
  EXPECT_EQ(text.find("# TYPE cdcwatch_pg_up gauge"), text.rfind("# TYPE cdcwatch_pg_up gauge"));
  testing::MetricsText parsed(text);
  EXPECT_EQ(parsed.value("cdcwatch_pg_up", {{"source", "orders"}}), 1);
  EXPECT_EQ(parsed.value("cdcwatch_pg_up", {{"source", "billing"}}), 0);
}

TEST(Exposition, HistogramBucketsAreCumulative) {
  HistogramValue histogram({1, 5});
  for (double v : {0.5, 2.0, 3.0, 10.0}) histogram.observe(v);
  Readings readings;
  readings.set_histogram(kLatency, {{"canary", "orders"}, {"stage", "kafka"}}, histogram);
  testing::MetricsText parsed(render_prometheus_text(readings));
  EXPECT_EQ(parsed.value("cdcwatch_canary_latency_seconds_bucket", {{"le", "1"}}), 1);
  EXPECT_EQ(parsed.value("cdcwatch_canary_latency_seconds_bucket", {{"le", "5"}}), 3);
  EXPECT_EQ(parsed.value("cdcwatch_canary_latency_seconds_bucket", {{"le", "+Inf"}}), 4);
  EXPECT_EQ(parsed.value("cdcwatch_canary_latency_seconds_count"), 4);
  EXPECT_EQ(parsed.value("cdcwatch_canary_latency_seconds_sum"), 15.5);
}

TEST(Exposition, EscapesLabelValues) {
  Readings readings;
  readings.set(kUp, {{"source", "we\"ird\\name\n"}}, 1);
  std::string text = render_prometheus_text(readings);
  EXPECT_NE(text.find(R"(source="we\"ird\\name\n")"), std::string::npos) << text;
  EXPECT_EQ(testing::MetricsText(text).samples().at(0).labels.at("source"), "we\"ird\\name\n");
}

TEST(Exposition, PartsRenderAsOneExpositionWithoutAMergedCopy) {
  Readings own, a, b;
  own.set(kUp, {{"source", "self"}}, 1);
  a.set(kUp, {{"source", "orders"}}, std::numeric_limits<double>::quiet_NaN());
  b.set(kOther, {}, 0.1);
  b.set(kUp, {{"source", "billing"}}, -std::numeric_limits<double>::infinity());
  std::string text = render_prometheus_text({&own, &a, &b});
  EXPECT_EQ(text.find("# TYPE cdcwatch_pg_up gauge"), text.rfind("# TYPE cdcwatch_pg_up gauge"));
  EXPECT_NE(text.find("cdcwatch_pg_up{source=\"orders\"} NaN\n"), std::string::npos) << text;
  EXPECT_NE(text.find("cdcwatch_pg_up{source=\"billing\"} -Inf\n"), std::string::npos) << text;
  EXPECT_NE(text.find("cdcwatch_other 0.1\n"), std::string::npos) << text;
  EXPECT_LT(text.find("source=\"billing\""), text.find("# TYPE cdcwatch_other"))
      << "a family's samples stay together under its header";
}

// A scrape holds the store's lock only to copy pointers: what it took stays intact while the
// probe publishes its next cycle.
TEST(ReadingsStore, ReadingsTakenForAScrapeSurviveTheNextPublish) {
  ReadingsStore store;
  Readings first;
  first.set(kUp, {{"source", "orders"}}, 1);
  store.publish("pg_slots/orders", first);
  auto taken = store.latest();
  store.publish("pg_slots/orders", Readings{});
  store.drop("pg_slots/orders");
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_EQ(taken[0]->value("cdcwatch_pg_up", {{"source", "orders"}}), 1);
  EXPECT_TRUE(store.latest().empty());
}

TEST(ReadingsStore, AProbesNextCycleReplacesItsSeriesWhole) {
  ReadingsStore store;
  Readings first, second;
  first.set(kUp, {{"source", "orders"}, {"slot", "gone"}}, 1);
  second.set(kUp, {{"source", "orders"}, {"slot", "kept"}}, 1);
  store.publish("p", first);
  store.publish("p", second);
  EXPECT_TRUE(store.find("cdcwatch_pg_up", {{"slot", "gone"}}).empty());
  EXPECT_EQ(store.find("cdcwatch_pg_up", {{"slot", "kept"}}).size(), 1u);
  store.drop("p");
  EXPECT_TRUE(store.snapshot().empty());
}

}  // namespace
}  // namespace cdcwatch
