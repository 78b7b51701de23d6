// The status rules, observation by observation.
#include "probes/kafka_lag/consumer_status.h"

#include <gtest/gtest.h>

#include <tuple>
#include <vector>

namespace cdcwatch {
namespace {

using namespace std::chrono_literals;

TEST(ConsumerStatus, StallNeedsAFullWindowWithTheOffsetFrozenAndLag) {
  PartitionWindow window(3, Millis(600000));
  TimePoint t{};
  window.observe(t, 10, 5);
  window.observe(t + 15s, 10, 6);
  EXPECT_EQ(window.status(), ConsumerStatus::kOk) << "window not full yet";
  window.observe(t + 30s, 10, 7);
  EXPECT_EQ(window.status(), ConsumerStatus::kStall);
  window.observe(t + 45s, 12, 5);
  EXPECT_EQ(window.status(), ConsumerStatus::kOk);
}

TEST(ConsumerStatus, NoLagIsOkEvenWhenIdle) {
  PartitionWindow window(3, Millis(60000));
  for (int i = 0; i < 10; ++i) window.observe(TimePoint{} + std::chrono::minutes(i), 10, 0);
  EXPECT_EQ(window.status(), ConsumerStatus::kOk);
}

TEST(ConsumerStatus, StopAfterTheOffsetHasNotMovedForStopAfter) {
  PartitionWindow window(10, Millis(300000));
  TimePoint t{};
  window.observe(t, 10, 5);
  window.observe(t + 4min, 10, 5);
  EXPECT_EQ(window.status(), ConsumerStatus::kOk);
  window.observe(t + 6min, 10, 9);
  EXPECT_EQ(window.status(), ConsumerStatus::kStop);
}

TEST(ConsumerStatus, RewindWhenTheOffsetGoesBack) {
  PartitionWindow window(3, Millis(300000));
  TimePoint t{};
  window.observe(t, 100, 0);
  window.observe(t + 15s, 40, 60);
  EXPECT_EQ(window.status(), ConsumerStatus::kRewind);
  window.observe(t + 30s, 60, 40);
  window.observe(t + 45s, 80, 20);
  window.observe(t + 60s, 100, 0);
  EXPECT_EQ(window.status(), ConsumerStatus::kOk) << "the rewind left the window";
}

TEST(ConsumerStatus, WarningWhenLagGrowsAcrossTheWholeWindowDespiteProgress) {
  PartitionWindow window(3, Millis(300000));
  TimePoint t{};
  window.observe(t, 10, 5);
  window.observe(t + 15s, 12, 8);
  window.observe(t + 30s, 14, 11);
  EXPECT_EQ(window.status(), ConsumerStatus::kWarning);
}

// Burrow's own correctness table for its evaluator (linkedin/Burrow,
// core/internal/evaluator/caching_test.go, `tests`, cases 0-10; rules in caching.go's
// calculatePartitionStatus). Each stored commit becomes one observation (its timestamp, offset and
// lag), and Burrow's current lag one more observation at timeNow. Burrow's stop rule is relative
// (no commit for longer than the window's span), so stop_after is that span here.
struct BurrowCase {
  int burrow_case;
  std::vector<std::tuple<int64_t, int64_t, int64_t>> commits;  // offset, timestamp ms, lag
  std::vector<std::pair<int64_t, int64_t>> caught_up_between;  // extra observations: ms, lag
  int64_t current_lag;
  int64_t now_s;
  ConsumerStatus burrow_status;
  ConsumerStatus status;
  const char* why_different;
};

std::vector<std::tuple<int64_t, int64_t, int64_t>> burrow_commits(std::vector<int64_t> offsets,
                                                                  std::vector<int64_t> lags) {
  std::vector<std::tuple<int64_t, int64_t, int64_t>> out;
  for (size_t i = 0; i < offsets.size(); ++i) {
    out.emplace_back(offsets[i], 100000 * static_cast<int64_t>(i + 1), lags[i]);
  }
  return out;
}

// Burrow cases 9 and 10: fifteen commits a second apart, each caught up.
std::vector<std::tuple<int64_t, int64_t, int64_t>> burrow_caught_up_commits() {
  const int64_t stamps[] = {1512224618356, 1512224619362, 1512224620366, 1512224621367,
                            1512224622370, 1512224623373, 1512224624378, 1512224625379,
                            1512224626383, 1512224627383, 1512224628383, 1512224629388,
                            1512224630391, 1512224631394, 1512224632397};
  std::vector<std::tuple<int64_t, int64_t, int64_t>> out;
  for (int i = 0; i < 15; ++i) out.emplace_back(792748079 + i, stamps[i], 0);
  return out;
}

constexpr auto kOk = ConsumerStatus::kOk;
constexpr auto kStop = ConsumerStatus::kStop;
constexpr auto kStall = ConsumerStatus::kStall;
constexpr auto kRewind = ConsumerStatus::kRewind;
constexpr const char* kRecommitInvisible =
    "OffsetFetch does not show a re-commit of the same offset: frozen for 500 s while lagging, "
    "longer than stop_after (400 s)";

TEST(ConsumerStatus, BurrowsEvaluatorTable) {
  const std::vector<int64_t> moving = {1000, 2000, 3000, 4000, 5000};
  const std::vector<int64_t> frozen = {1000, 1000, 1000, 1000, 1000};
  const std::vector<BurrowCase> cases = {
      {0, burrow_commits(moving, {0, 50, 100, 150, 200}), {}, 200, 600, kOk, kOk, ""},
      {1, burrow_commits(moving, {0, 50, 100, 150, 200}), {}, 200, 900, kOk, kOk, ""},
      {2, burrow_commits(moving, {0, 50, 100, 150, 200}), {}, 200, 1000, kStop, kStop, ""},
      {3, burrow_commits(moving, {50, 100, 150, 200, 250}), {}, 250, 1000, kStop, kStop, ""},
      {4,
       burrow_commits(frozen, {0, 50, 100, 150, 200}),
       {},
       200,
       600,
       kOk,
       kStop,
       kRecommitInvisible},
      {5,
       burrow_commits(frozen, {100, 150, 200, 250, 300}),
       {},
       300,
       600,
       kStall,
       kStop,
       kRecommitInvisible},
      {6,
       burrow_commits(frozen, {100, 100, 100, 100, 100}),
       {},
       100,
       600,
       kStall,
       kStop,
       kRecommitInvisible},
      {7,
       burrow_commits({1000, 2000, 3000, 2000, 4000}, {100, 150, 200, 1250, 300}),
       {},
       300,
       600,
       kRewind,
       kRewind,
       ""},
      {8, burrow_commits(moving, {50, 100, 150, 200, 250}), {}, 0, 1000, kOk, kOk, ""},
      {9, burrow_caught_up_commits(), {}, 931, 1512224650, kStop, kStop, ""},
      // Burrow's broker offsets (refreshed every 10 s by default) show the group caught up at the
      // last committed offset recently; here those are observations with lag 0 before now.
      {10,
       burrow_caught_up_commits(),
       {{1512224635000, 0}, {1512224640000, 0}, {1512224645000, 0}},
       1,
       1512224650,
       kOk,
       kOk,
       ""},
  };
  for (const auto& c : cases) {
    int64_t first_ms = std::get<1>(c.commits.front());
    int64_t last_ms = std::get<1>(c.commits.back());
    PartitionWindow window(c.commits.size() + c.caught_up_between.size() + 1,
                           Millis(last_ms - first_ms));
    for (const auto& [offset, at_ms, lag] : c.commits) {
      window.observe(TimePoint(std::chrono::milliseconds(at_ms)), offset, lag);
    }
    int64_t last_offset = std::get<0>(c.commits.back());
    for (const auto& [at_ms, lag] : c.caught_up_between) {
      window.observe(TimePoint(std::chrono::milliseconds(at_ms)), last_offset, lag);
    }
    window.observe(TimePoint(std::chrono::seconds(c.now_s)), last_offset, c.current_lag);
    EXPECT_EQ(to_string(window.status()), std::string(to_string(c.status)))
        << "Burrow case " << c.burrow_case << " (Burrow: " << to_string(c.burrow_status) << ") "
        << c.why_different;
  }
}

TEST(ConsumerStatus, AWindowThatSawLagZeroIsNotJudgedForStallOrWarning) {
  PartitionWindow window(3, Millis(600000));
  TimePoint t{};
  window.observe(t, 10, 0);
  window.observe(t + 15s, 10, 1);
  window.observe(t + 30s, 10, 2);
  EXPECT_EQ(window.status(), ConsumerStatus::kOk) << "caught up at t: neither stall nor warning";
  window.observe(t + 45s, 10, 3);
  EXPECT_EQ(window.status(), ConsumerStatus::kStall) << "the lag-0 observation left the window";
}

TEST(ConsumerStatus, TheStopClockRunsFromTheLastObservationWithLagZero) {
  PartitionWindow window(10, Millis(300000));
  TimePoint t{};
  for (int i = 0; i <= 40; ++i) window.observe(t + i * 15s, 10, 0);  // idle for 10 minutes
  window.observe(t + 615s, 10, 1);
  EXPECT_EQ(window.status(), ConsumerStatus::kOk)
      << "the offset last moved 10 minutes ago, but the partition was caught up 15 s ago";
  EXPECT_EQ(window.offset_changed_at(), t);
  EXPECT_EQ(window.caught_up_at(), t + 600s);
  window.observe(t + 600s + 301s, 10, 1);
  EXPECT_EQ(window.status(), ConsumerStatus::kStop) << "lagging for longer than stop_after";
}

// Kafka Connect commits a sink's offsets every offset.flush.interval.ms (60 s by default) and the
// topic gets a record every 10 minutes: the lag of 1 lasts until the next commit. With the default
// window (10 × 15 s) and stop_after (5 m), the probe must never call that group unhealthy.
TEST(ConsumerStatus, AQuietTopicWithConnectStyleCommitsStaysOkForASimulatedDay) {
  PartitionWindow window(10, Millis(300000));
  TimePoint start{};
  int64_t produced = 0, committed = 0;
  int not_ok = 0, observations_with_lag = 0;
  for (int second = 0; second <= 24 * 3600; ++second) {
    if (second % 600 == 7) ++produced;           // a record every 10 minutes
    if (second % 60 == 5) committed = produced;  // the sink's periodic commit
    if (second % 15 != 0) continue;              // the probe's interval
    window.observe(start + std::chrono::seconds(second), committed, produced - committed);
    if (produced > committed) ++observations_with_lag;
    if (window.status() != ConsumerStatus::kOk) ++not_ok;
  }
  EXPECT_GT(observations_with_lag, 100) << "the day had lag to judge";
  EXPECT_EQ(not_ok, 0);
}

TEST(ConsumerStatus, AGroupThatStopsWhileRecordsArriveStallsWithinTheWindowThenStops) {
  PartitionWindow window(10, Millis(300000));
  TimePoint start{};
  const int stops_at = 3600;
  int64_t produced = 0, committed = 0;
  std::optional<int> first_stall, first_stop;
  for (int second = 0; second <= stops_at + 900; ++second) {
    if (second % 5 == 0) ++produced;
    if (second % 60 == 23 && second < stops_at) committed = produced;
    if (second % 15 != 0) continue;
    window.observe(start + std::chrono::seconds(second), committed, produced - committed);
    ConsumerStatus status = window.status();
    if (second < stops_at) {
      ASSERT_EQ(status, ConsumerStatus::kOk) << "healthy at second " << second;
    }
    if (status == ConsumerStatus::kStall && !first_stall) first_stall = second;
    if (status == ConsumerStatus::kStop && !first_stop) first_stop = second;
  }
  ASSERT_TRUE(first_stall && first_stop);
  // The last commit was at most 60 s before the stop; the window spans 10 observations.
  EXPECT_LE(*first_stall, stops_at + 150);
  EXPECT_GT(*first_stop, stops_at - 60 + 300);
  EXPECT_LE(*first_stop, stops_at + 300 + 15);
}

TEST(ConsumerStatus, ASavedWindowRestoresItsObservationsAndClocks) {
  PartitionWindow window(3, Millis(300000));
  TimePoint t{std::chrono::seconds(1'800'000'000)};
  window.observe(t, 10, 0);
  window.observe(t + 15s, 10, 4);
  window.observe(t + 30s, 10, 5);
  nlohmann::json saved = window.save();
  PartitionWindow restored(3, Millis(300000));
  ASSERT_TRUE(restored.restore(saved));
  EXPECT_EQ(restored.save(), saved);
  restored.observe(t + 45s, 10, 6);
  EXPECT_EQ(restored.status(), ConsumerStatus::kStall) << "the restored window was full";
  EXPECT_EQ(restored.offset_changed_at(), t);
}

TEST(ConsumerStatus, AMalformedSavedWindowIsRefusedAndLeavesTheWindowEmpty) {
  PartitionWindow window(3, Millis(300000));
  for (const char* text :
       {R"("not an object")", R"({"observations": 3})", R"({"observations": [[1, 2]]})",
        R"({"observations": [[1, 2, -5]]})", R"({"observations": [[5, 2, 1], [1, 2, 1]]})",
        R"({"observations": [], "caught_up_at_ms": "yesterday"})"}) {
    EXPECT_FALSE(window.restore(nlohmann::json::parse(text))) << text;
    EXPECT_EQ(window.save()["observations"].size(), 0u) << text;
  }
}

TEST(ConsumerStatus, WorstOrdersBySeverity) {
  EXPECT_EQ(worst(ConsumerStatus::kOk, ConsumerStatus::kStall), ConsumerStatus::kStall);
  EXPECT_EQ(worst(ConsumerStatus::kStop, ConsumerStatus::kStall), ConsumerStatus::kStop);
  EXPECT_EQ(worst(ConsumerStatus::kError, ConsumerStatus::kStop), ConsumerStatus::kError);
}

}  // namespace
}  // namespace cdcwatch
