// The durable outbox: order, survival across a restart, damage, and an unwritable state_dir.
#include "agent/alerting/outbox.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "tests/support/child_process.h"

namespace cdcwatch {
namespace {

AlertEvent event(const std::string& key, AlertEvent::Action action) {
  AlertEvent e;
  e.action = action;
  e.dedup_key = key;
  e.alert = "A";
  e.severity = "critical";
  e.labels = {{"slot", "s\"1"}};
  e.summary = "summary of " + key;
  e.created_at = TimePoint(std::chrono::seconds(1700000000));
  return e;
}

TEST(Outbox, EntriesSurviveARestartInOrderAndPoppedOnesDoNot) {
  testing::TempDir dir;
  std::string path = dir.file("outbox/pagerduty");
  {
    Outbox outbox(path);
    outbox.push(event("k1", AlertEvent::Action::kTrigger));
    outbox.push(event("k2", AlertEvent::Action::kTrigger));
    outbox.push(event("k1", AlertEvent::Action::kResolve));
    EXPECT_TRUE(outbox.durable());
    outbox.pop(outbox.front()->seq);
  }
  Outbox reopened(path);
  auto pending = reopened.pending();
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(pending[0].dedup_key, "k2");
  EXPECT_EQ(pending[1].dedup_key, "k1");
  EXPECT_EQ(pending[1].action, AlertEvent::Action::kResolve);
  EXPECT_EQ(pending[0].labels, (Labels{{"slot", "s\"1"}}));
  reopened.push(event("k3", AlertEvent::Action::kTrigger));
  EXPECT_GT(reopened.pending().size(), 2u);
  EXPECT_EQ(reopened.pending().back().dedup_key, "k3") << "new entries queue after old ones";
}

TEST(Outbox, ADamagedEntryIsMovedAsideAndTheRestLoads) {
  testing::TempDir dir;
  std::string path = dir.file("outbox");
  {
    Outbox outbox(path);
    outbox.push(event("good", AlertEvent::Action::kTrigger));
  }
  std::ofstream(path + "/00000000000000000000.json") << "{\"action\": \"trig";
  std::ofstream(path + "/00000000000000000099.json.tmp") << "half written";
  Outbox reopened(path);
  ASSERT_EQ(reopened.size(), 1u);
  EXPECT_EQ(reopened.front()->event.dedup_key, "good");
  EXPECT_TRUE(std::filesystem::exists(path + "/00000000000000000000.json.corrupt"));
  EXPECT_FALSE(std::filesystem::exists(path + "/00000000000000000099.json.tmp"));
}

TEST(Outbox, UnwritableDirectoryKeepsEventsInMemoryAndSaysSo) {
  testing::TempDir dir;
  // A file where the directory should be: fails for root too, unlike a chmod.
  std::string blocker = dir.write("state", "not a directory");
  Outbox outbox(blocker + "/outbox");
  outbox.push(event("k1", AlertEvent::Action::kTrigger));
  EXPECT_FALSE(outbox.durable());
  EXPECT_NE(outbox.problem().find("outbox"), std::string::npos) << outbox.problem();
  ASSERT_EQ(outbox.size(), 1u);
  EXPECT_EQ(outbox.front()->event.dedup_key, "k1");
  outbox.pop(outbox.front()->seq);
  EXPECT_EQ(outbox.size(), 0u);
}

TEST(Outbox, AFullDiskKeepsEventsInMemoryInOrderAndSaysSo) {
  testing::TempDir dir;
  Outbox outbox(dir.path() + "/outbox");
  outbox.push(event("before", AlertEvent::Action::kTrigger));
  ASSERT_TRUE(outbox.durable());
  // No file may grow any more, as on a full disk: writes fail (EFBIG instead of ENOSPC, the same
  // path). SIGXFSZ would kill the process, so it is ignored while the limit holds.
  rlimit original{};
  getrlimit(RLIMIT_FSIZE, &original);
  auto previous = std::signal(SIGXFSZ, SIG_IGN);
  rlimit full = original;
  full.rlim_cur = 0;
  setrlimit(RLIMIT_FSIZE, &full);
  outbox.push(event("during-1", AlertEvent::Action::kTrigger));
  outbox.push(event("during-2", AlertEvent::Action::kResolve));
  bool durable_while_full = outbox.durable();
  std::string problem = outbox.problem();
  setrlimit(RLIMIT_FSIZE, &original);
  std::signal(SIGXFSZ, previous);
  EXPECT_FALSE(durable_while_full);
  EXPECT_FALSE(problem.empty());
  std::vector<std::string> order;
  while (auto front = outbox.front()) {
    order.push_back(front->event.dedup_key);
    outbox.pop(front->seq);
  }
  EXPECT_EQ(order, (std::vector<std::string>{"before", "during-1", "during-2"}))
      << "nothing lost, in order";
}

}  // namespace
}  // namespace cdcwatch
