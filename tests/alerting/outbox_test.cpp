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

// An outbox directory a previous run left with these triggers queued.
std::string outbox_left_with(testing::TempDir& dir, std::initializer_list<const char*> keys) {
  std::string path = dir.file("outbox");
  Outbox outbox(path);
  for (const char* key : keys) outbox.push(event(key, AlertEvent::Action::kTrigger));
  return path;
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
  std::string path = outbox_left_with(dir, {"good"});
  std::ofstream(path + "/00000000000000000000.json") << "{\"action\": \"trig";
  std::ofstream(path + "/00000000000000000099.json.tmp") << "half written";
  Outbox reopened(path);
  ASSERT_EQ(reopened.size(), 1u);
  EXPECT_EQ(reopened.front()->event.dedup_key, "good");
  EXPECT_TRUE(std::filesystem::exists(path + "/00000000000000000000.json.corrupt"));
  EXPECT_FALSE(std::filesystem::exists(path + "/00000000000000000099.json.tmp"));
}

// #23: on the old code the stray file's name (25 characters, ending .json) aborted the load.
TEST(Outbox, AStrayFileIsLeftAloneAndTheQueueStillLoads) {
  testing::TempDir dir;
  std::string path = outbox_left_with(dir, {"queued"});
  std::ofstream(path + "/notes-about-this-dir.json") << "operator's notes";
  std::ofstream(path + "/README") << "hello";
  std::ofstream(path + "/99999999999999999999.json") << "{}";  // 20 digits past uint64
  Outbox reopened(path);
  ASSERT_EQ(reopened.size(), 1u);
  EXPECT_EQ(reopened.front()->event.dedup_key, "queued");
  EXPECT_EQ(reopened.quarantined(), 0u);
  for (const char* name : {"notes-about-this-dir.json", "README", "99999999999999999999.json"}) {
    EXPECT_TRUE(std::filesystem::exists(path + "/" + name)) << name << " is not ours to touch";
  }
}

TEST(Outbox, HalfWrittenPagesAreQuarantinedAndCountedAndTheOthersKeepTheirOrder) {
  testing::TempDir dir;
  std::string path = outbox_left_with(dir, {"first", "second", "third"});
  std::string second = path + "/00000000000000000002.json";
  std::string whole;
  std::getline(std::ifstream(second), whole);
  std::ofstream(second, std::ios::trunc) << whole.substr(0, whole.size() / 2);
  Outbox reopened(path);
  std::vector<std::string> keys;
  for (const auto& pending : reopened.pending()) keys.push_back(pending.dedup_key);
  EXPECT_EQ(keys, (std::vector<std::string>{"first", "third"}));
  EXPECT_EQ(reopened.quarantined(), 1u);
  EXPECT_TRUE(std::filesystem::exists(second + ".corrupt"));
  reopened.push(event("fourth", AlertEvent::Action::kTrigger));
  EXPECT_TRUE(std::filesystem::exists(path + "/00000000000000000004.json"))
      << "numbering continues after the last name seen";
}

TEST(Outbox, ASequenceNumberIsNeverReusedEvenWhenOnlyItsQuarantinedFileIsLeft) {
  testing::TempDir dir;
  std::string path = dir.file("outbox");
  std::filesystem::create_directories(path);
  std::ofstream(path + "/00000000000000000007.json") << "{\"action\": \"trig";
  {
    Outbox first(path);
    EXPECT_EQ(first.size(), 0u);
  }
  Outbox second(path);
  second.push(event("next", AlertEvent::Action::kTrigger));
  EXPECT_EQ(second.front()->seq, 8u);
  EXPECT_TRUE(std::filesystem::exists(path + "/00000000000000000007.json.corrupt"))
      << "the quarantined page is kept for a person";
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
