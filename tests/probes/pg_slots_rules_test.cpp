// The slot probe's pure rules, as tables: why retained WAL grows (growth_cause.h) and whether a
// slot lost changes between two sightings (slot_continuity.h).
#include <gtest/gtest.h>

#include "agent/alerting/alert_evaluator.h"
#include "agent/alerting/rule_set.h"
#include "agent/core/readings_store.h"
#include "probes/pg_slots/growth_cause.h"
#include "probes/pg_slots/slot_continuity.h"
#include "probes/pg_slots/slot_metrics.h"

namespace cdcwatch {
namespace {

struct CauseCase {
  const char* name;
  GrowthEvidence evidence;
  WalGrowthCause expected;
};

TEST(WalGrowthCause, FirstMatchingRuleWins) {
  GrowthEvidence healthy{.growth_bytes_per_second = 5000,
                         .active = true,
                         .held_by_open_transaction = false,
                         .spilled_bytes_in_window = 0,
                         .database_rows_changed_in_window = 40,
                         .confirmed_flush_lag_seconds = 30};
  auto but = [&](void (*change)(GrowthEvidence&)) {
    GrowthEvidence e = healthy;
    change(e);
    return e;
  };
  const std::vector<CauseCase> cases = {
      {"a consumer keeping up within its flush step", healthy, WalGrowthCause::kNone},
      {"not growing, even with no consumer", but([](GrowthEvidence& e) {
         e.growth_bytes_per_second = 0;
         e.active = false;
       }),
       WalGrowthCause::kNone},
      {"growth unknown (one observation)", but([](GrowthEvidence& e) {
         e.growth_bytes_per_second.reset();
         e.active = false;
       }),
       WalGrowthCause::kNone},
      {"nobody streams the slot", but([](GrowthEvidence& e) { e.active = false; }),
       WalGrowthCause::kConsumerDown},
      {"down beats every other evidence", but([](GrowthEvidence& e) {
         e.active = false;
         e.held_by_open_transaction = true;
         e.spilled_bytes_in_window = 1e6;
       }),
       WalGrowthCause::kConsumerDown},
      {"an open transaction pins catalog_xmin", but([](GrowthEvidence& e) {
         e.held_by_open_transaction = true;
         e.spilled_bytes_in_window = 1e6;
       }),
       WalGrowthCause::kLongTransaction},
      {"spilled in the window", but([](GrowthEvidence& e) { e.spilled_bytes_in_window = 1e6; }),
       WalGrowthCause::kLargeTransactions},
      {"spill unknown (13) is no evidence", but([](GrowthEvidence& e) {
         e.spilled_bytes_in_window.reset();
         e.confirmed_flush_lag_seconds = 600;
       }),
       WalGrowthCause::kConsumerBehind},
      {"its database wrote nothing", but([](GrowthEvidence& e) {
         e.database_rows_changed_in_window = 0;
         e.confirmed_flush_lag_seconds = 900;
       }),
       WalGrowthCause::kIdleDatabase},
      {"rows unknown is not idle", but([](GrowthEvidence& e) {
         e.database_rows_changed_in_window.reset();
         e.confirmed_flush_lag_seconds = 900;
       }),
       WalGrowthCause::kConsumerBehind},
      {"confirmed more than two flushes behind",
       but([](GrowthEvidence& e) { e.confirmed_flush_lag_seconds = 121; }),
       WalGrowthCause::kConsumerBehind},
      {"exactly at the bound is still a flush step",
       but([](GrowthEvidence& e) { e.confirmed_flush_lag_seconds = kBehindAfterSeconds; }),
       WalGrowthCause::kNone},
      {"lag unknown is not behind",
       but([](GrowthEvidence& e) { e.confirmed_flush_lag_seconds.reset(); }),
       WalGrowthCause::kNone},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(to_string(wal_growth_cause(c.evidence)), std::string(to_string(c.expected)))
        << c.name;
  }
}

TEST(WalGrowthCause, NamesAreTheIssuesLabelValues) {
  std::vector<std::string> names;
  for (auto cause : kAllWalGrowthCauses) names.push_back(to_string(cause));
  EXPECT_EQ(names, (std::vector<std::string>{"consumer_down", "consumer_behind", "long_transaction",
                                             "idle_database", "large_transactions", "none"}));
}

struct ContinuityCase {
  const char* name;
  SlotSighting last;
  bool vanished;
  SlotSighting now;
  std::optional<UnreadRange> expected;
};

TEST(SlotContinuity, LossOnlyWithEvidenceOfANewSlotOrABackwardsMove) {
  SlotSighting last{.confirmed_flush_bytes = 1000,
                    .restart_bytes = 900,
                    .decoded_transactions = 50,
                    .stats_reset_seconds = std::nullopt,
                    .postmaster_start_seconds = 100};
  auto but = [&](void (*change)(SlotSighting&)) {
    SlotSighting s = last;
    change(s);
    return s;
  };
  auto progressed = but([](SlotSighting& s) {
    s.confirmed_flush_bytes = 5000;
    s.restart_bytes = 4000;
    s.decoded_transactions = 80;
  });
  auto recreated = but([](SlotSighting& s) {
    s.confirmed_flush_bytes = 7000;
    s.restart_bytes = 6900;
    s.decoded_transactions = 0;
  });
  const std::vector<ContinuityCase> cases = {
      {"unchanged", last, false, last, std::nullopt},
      {"healthy progress past the last confirmed position", last, false, progressed, std::nullopt},
      {"vanished and back beyond the last confirmed position", last, true, but([](SlotSighting& s) {
         s.confirmed_flush_bytes = 7000;
         s.restart_bytes = 6900;
       }),
       UnreadRange{1000, 6900, UnreadCause::kRecreated}},
      {"vanished and back, restart not beyond: nothing skipped", last, true,
       but([](SlotSighting& s) { s.restart_bytes = 1000; }), std::nullopt},
      {"statistics started again: recreated unseen", last, false, recreated,
       UnreadRange{1000, 6900, UnreadCause::kRecreated}},
      {"statistics reset by an operator (stats_reset moved)", last, false, but([](SlotSighting& s) {
         s.confirmed_flush_bytes = 7000;
         s.restart_bytes = 6900;
         s.decoded_transactions = 0;
         s.stats_reset_seconds = 200;
       }),
       std::nullopt},
      {"statistics lost in a server crash (start time moved)", last, false,
       but([](SlotSighting& s) {
         s.confirmed_flush_bytes = 7000;
         s.restart_bytes = 6900;
         s.decoded_transactions = 0;
         s.postmaster_start_seconds = 300;
       }),
       std::nullopt},
      {"confirmed moved backwards", last, false, but([](SlotSighting& s) {
         s.confirmed_flush_bytes = 400;
         s.restart_bytes = 300;
       }),
       UnreadRange{400, 1000, UnreadCause::kMovedBackwards}},
      {"crash recovery reloaded the slot within its retained WAL", last, false,
       but([](SlotSighting& s) {
         s.confirmed_flush_bytes = 950;
         s.postmaster_start_seconds = 300;
       }),
       std::nullopt},
      {"after a restart, back before the last restart_lsn", last, false, but([](SlotSighting& s) {
         s.confirmed_flush_bytes = 500;
         s.restart_bytes = 400;
         s.postmaster_start_seconds = 300;
       }),
       UnreadRange{500, 1000, UnreadCause::kMovedBackwards}},
  };
  for (const auto& c : cases) {
    auto range = unread_range(c.last, c.vanished, c.now);
    ASSERT_EQ(range.has_value(), c.expected.has_value()) << c.name;
    if (!range) continue;
    EXPECT_EQ(range->from_bytes, c.expected->from_bytes) << c.name;
    EXPECT_EQ(range->to_bytes, c.expected->to_bytes) << c.name;
    EXPECT_STREQ(to_string(range->cause), to_string(c.expected->cause)) << c.name;
  }
}

TEST(SlotContinuity, FormatsLsnsAsPostgresDoes) {
  EXPECT_EQ(format_lsn(0), "0/0");
  EXPECT_EQ(format_lsn(0x16B374D848), "16/B374D848");
  EXPECT_EQ(format_lsn(0x1000000), "0/1000000");
}

// The shipped data-loss pages are not withdrawn because cdcwatch lost sight of the source.
TEST(SlotDataLossPages, HoldWhileTheSourceCannotBeRead) {
  const Labels source{{"source", "orders"}};
  const Labels slot{{"source", "orders"}, {"slot", "debezium"}};
  auto with = [&](Labels labels, std::vector<std::pair<std::string, std::string>> more) {
    labels.insert(labels.end(), more.begin(), more.end());
    return labels;
  };
  for (const char* alert : {"CdcSlotRecreated", "CdcSlotInvalidated"}) {
    std::vector<AlertRule> rules;
    for (const AlertRule& rule : default_rules()) {
      if (rule.alert == alert) rules.push_back(rule);
    }
    ASSERT_EQ(rules.size(), 1u) << alert;
    AlertEvaluator evaluator(rules, EvaluatorOptions{});
    FakeClock clock;
    ReadingsStore store;
    Readings seen;
    seen.set(slot_metrics::kUp, source, 1);
    seen.set(slot_metrics::kUnreadWal,
             with(slot, {{"from_lsn", "0/1000"}, {"to_lsn", "0/9000"}, {"cause", "recreated"}}),
             0x8000);
    seen.set(slot_metrics::kInvalidated, with(slot, {{"reason", "wal_removed"}}), 1);
    store.publish("pg_slots/orders", seen);
    auto opened = evaluator.evaluate(store, clock.now(), true);
    ASSERT_EQ(opened.size(), 1u) << alert;
    EXPECT_EQ(opened[0].severity, "critical");

    Readings blind;
    blind.set(slot_metrics::kUp, source, 0);  // the source stopped answering: no slot series
    store.publish("pg_slots/orders", blind);
    clock.advance(std::chrono::hours(2));
    for (const AlertEvent& event : evaluator.evaluate(store, clock.now(), true)) {
      EXPECT_EQ(event.action, AlertEvent::Action::kTrigger)
          << alert << ": no resolve while the source cannot be read";
    }
  }
}

}  // namespace
}  // namespace cdcwatch
