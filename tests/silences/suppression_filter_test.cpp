#include "agent/silences/suppression_filter.h"

#include <gtest/gtest.h>

#include "agent/silences/silence_file.h"
#include "tests/support/child_process.h"

namespace cdcwatch {
namespace {

using namespace std::chrono_literals;

const Labels kSinkAlert = {
    {"alert", "CdcSinkStalled"}, {"hop", "sink"}, {"pipeline", "orders"}, {"severity", "critical"}};

Silence silence(const std::string& id, const std::string& match, TimePoint starts, TimePoint ends) {
  return {id, parse_matcher(match), starts, ends, "", starts};
}

TEST(SuppressionFilter, AnActiveSilenceCoversTheInstancesItMatches) {
  testing::TempDir dir;
  TimePoint now(1'800'000'000s);
  write_silences(silence_file_path(dir.path()),
                 {silence("s1", "pipeline=orders,hop=sink", now, now + 1h)}, now);
  SuppressionFilter filter(dir.path(), {});
  filter.refresh(now);
  auto suppression = filter.suppressed(kSinkAlert);
  ASSERT_TRUE(suppression);
  EXPECT_EQ(suppression->silence_id, "s1");
  EXPECT_FALSE(filter.suppressed({{"alert", "CdcSlotLost"}, {"pipeline", "payments"}}));
  filter.refresh(now + 1h);
  EXPECT_FALSE(filter.suppressed(kSinkAlert)) << "the silence ended";
}

TEST(SuppressionFilter, PicksUpAChangedFileAtTheNextRefresh) {
  testing::TempDir dir;
  TimePoint now(1'800'000'000s);
  SuppressionFilter filter(dir.path(), {});
  filter.refresh(now);
  EXPECT_FALSE(filter.suppressed(kSinkAlert));
  write_silences(silence_file_path(dir.path()),
                 {silence("s1", "alert=CdcSinkStalled", now, now + 1h)}, now);
  filter.refresh(now);
  EXPECT_TRUE(filter.suppressed(kSinkAlert));
  write_silences(silence_file_path(dir.path()), {silence("s1", "alert=CdcSinkStalled", now, now)},
                 now);  // expired
  filter.refresh(now);
  EXPECT_FALSE(filter.suppressed(kSinkAlert));
}

TEST(SuppressionFilter, ADamagedFileKeepsTheSilencesReadBeforeAndIsReported) {
  testing::TempDir dir;
  TimePoint now(1'800'000'000s);
  write_silences(silence_file_path(dir.path()), {silence("s1", "pipeline=orders", now, now + 1h)},
                 now);
  SuppressionFilter filter(dir.path(), {});
  filter.refresh(now);
  dir.write("silences.json", "{\"version\": 1, \"silences\": [{");
  filter.refresh(now + 1s);
  EXPECT_TRUE(filter.suppressed(kSinkAlert));
  auto status = filter.status_json();
  ASSERT_TRUE(status.contains("silences_problem")) << status.dump();
  EXPECT_NE(status["silences_problem"].get<std::string>().find("not valid JSON"),
            std::string::npos);
}

// The grouping engine names every pipeline of a shared system's alert: `pipeline=orders,payments`.
TEST(SuppressionFilter, AnAlertOfSeveralPipelinesIsCoveredOnlyWhenEachOfThemIs) {
  testing::TempDir dir;
  TimePoint now(1'800'000'000s);
  const Labels shared = {{"alert", "CdcPostgresDown"},
                         {"hop", "source"},
                         {"pipeline", "orders,payments"},
                         {"source", "shop"}};
  write_silences(silence_file_path(dir.path()),
                 {silence("orders", "pipeline=orders", now, now + 1h)}, now);
  SuppressionFilter filter(dir.path(), {});
  filter.refresh(now);
  EXPECT_FALSE(filter.suppressed(shared)) << "the payments on-call must still hear of it";
  EXPECT_TRUE(filter.suppressed({{"alert", "CdcSlotLost"}, {"pipeline", "orders"}}));
  write_silences(silence_file_path(dir.path()),
                 {silence("orders", "pipeline=orders", now, now + 1h),
                  silence("payments", "pipeline=payments,hop=source", now, now + 1h)},
                 now);
  filter.refresh(now);
  auto suppression = filter.suppressed(shared);
  ASSERT_TRUE(suppression);
  EXPECT_EQ(suppression->silence_id, "orders");
  EXPECT_TRUE(filter.suppressed({{"alert", "CdcPostgresDown"}, {"source", "shop"}}) ==
              std::nullopt);
}

TEST(SuppressionFilter, AnOpenMaintenanceWindowCoversItsMatches) {
  testing::TempDir dir;
  ConfigNode root = ConfigNode::load_string(R"(maintenance:
  - name: sink-rekey
    match: hop=sink
    start: 2027-01-01T00:00:00Z
    end: 2027-01-01T02:00:00Z
)",
                                            "c.yml");
  SuppressionFilter filter(dir.path(), parse_maintenance(root.child("maintenance").items()));
  filter.refresh(TimePoint(1'798'761'600s + 1h));  // 2027-01-01T01:00:00Z
  auto suppression = filter.suppressed(kSinkAlert);
  ASSERT_TRUE(suppression);
  EXPECT_EQ(suppression->maintenance, "sink-rekey");
  EXPECT_EQ(filter.status_json()["open_maintenance"], nlohmann::json::array({"sink-rekey"}));
  filter.refresh(TimePoint(1'798'761'600s + 2h));
  EXPECT_FALSE(filter.suppressed(kSinkAlert));
}

}  // namespace
}  // namespace cdcwatch
