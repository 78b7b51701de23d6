// Probe state files: what one store writes another reads back under the same fingerprint; every
// other file (corrupt, truncated, another version, another probe, another entry, a directory, too
// large) is a fresh start, never a crash.
#include "agent/core/probe_state_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "agent/core/durable_file.h"

namespace cdcwatch {
namespace {

namespace fs = std::filesystem;

class ProbeStateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cdcwatch-state-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A state saved by one store, then overwritten on disk with `content`.
  std::optional<nlohmann::json> load_after_writing(const std::string& content) {
    {
      ProbeStateStore writer(dir_.string());
      writer.track("pg_slots/orders", "f1");
      writer.save("pg_slots/orders", {{"count", 7}});
      std::ofstream(writer.file_of("pg_slots/orders"), std::ios::trunc) << content;
    }
    ProbeStateStore reader(dir_.string());
    reader.track("pg_slots/orders", "f1");
    return reader.load("pg_slots/orders");
  }

  fs::path dir_;
};

TEST_F(ProbeStateStoreTest, AnotherStoreReadsTheStateBackUnderTheSameFingerprint) {
  {
    ProbeStateStore writer(dir_.string());
    writer.track("canary/c1/kafka", "f1");
    writer.save("canary/c1/kafka", {{"count", 7}});
  }
  ProbeStateStore reader(dir_.string());
  reader.track("canary/c1/kafka", "f1");
  auto state = reader.load("canary/c1/kafka");
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ((*state)["count"], 7);
  EXPECT_TRUE(fs::is_regular_file(dir_ / "probes" / "canary%2Fc1%2Fkafka.json"));
}

TEST_F(ProbeStateStoreTest, AChangedEntryStartsFresh) {
  {
    ProbeStateStore writer(dir_.string());
    writer.track("pg_slots/orders", "f1");
    writer.save("pg_slots/orders", {{"count", 7}});
  }
  ProbeStateStore reader(dir_.string());
  reader.track("pg_slots/orders", "f2");
  EXPECT_FALSE(reader.load("pg_slots/orders").has_value());
}

TEST_F(ProbeStateStoreTest, CorruptTruncatedOrForeignFilesAreAFreshStart) {
  EXPECT_FALSE(load_after_writing("{\"format\": \"cdcwatch probe state\", \"vers").has_value());
  EXPECT_FALSE(load_after_writing("not json at all").has_value());
  EXPECT_FALSE(load_after_writing("").has_value());
  EXPECT_FALSE(load_after_writing(R"({"format":"cdcwatch probe state","version":2,)"
                                  R"("probe":"pg_slots/orders","fingerprint":"f1","state":{}})")
                   .has_value());
  EXPECT_FALSE(load_after_writing(R"({"format":"cdcwatch probe state","version":1,)"
                                  R"("probe":"pg_slots/stock","fingerprint":"f1","state":{}})")
                   .has_value());
  EXPECT_FALSE(load_after_writing(R"({"format":"something else","version":1,)"
                                  R"("probe":"pg_slots/orders","fingerprint":"f1","state":{}})")
                   .has_value());
  EXPECT_TRUE(load_after_writing(R"({"format":"cdcwatch probe state","version":1,)"
                                 R"("probe":"pg_slots/orders","fingerprint":"f1","state":{}})")
                  .has_value());
}

TEST_F(ProbeStateStoreTest, ADirectoryOrAnOversizedFileIsAFreshStart) {
  ProbeStateStore store(dir_.string());
  store.track("pg_slots/orders", "f1");
  fs::create_directories(store.file_of("pg_slots/orders"));
  EXPECT_FALSE(store.load("pg_slots/orders").has_value());
  fs::remove_all(store.file_of("pg_slots/orders"));
  std::ofstream(store.file_of("pg_slots/orders"))
      << std::string(ProbeStateStore::kMaxStateBytes + 8192, ' ');
  EXPECT_FALSE(store.load("pg_slots/orders").has_value());
}

TEST_F(ProbeStateStoreTest, AnOversizedStateIsNotKept) {
  ProbeStateStore store(dir_.string());
  store.track("pg_slots/orders", "f1");
  store.save("pg_slots/orders", {{"count", 1}});
  store.save("pg_slots/orders", {{"blob", std::string(ProbeStateStore::kMaxStateBytes, 'x')}});
  EXPECT_FALSE(store.load("pg_slots/orders").has_value());
}

TEST_F(ProbeStateStoreTest, ForgettingARemovedProbeRemovesItsFile) {
  ProbeStateStore store(dir_.string());
  store.track("pg_slots/orders", "f1");
  store.save("pg_slots/orders", {{"count", 1}});
  ASSERT_TRUE(fs::exists(store.file_of("pg_slots/orders")));
  store.forget("pg_slots/orders");
  EXPECT_FALSE(fs::exists(store.file_of("pg_slots/orders")));
  store.track("pg_slots/orders", "f1");
  EXPECT_FALSE(store.load("pg_slots/orders").has_value());
}

TEST_F(ProbeStateStoreTest, AnUnwritableStateDirKeepsStateInMemory) {
  fs::create_directories(dir_.parent_path());
  std::ofstream(dir_.string()) << "a file where the state_dir should be";
  ProbeStateStore store(dir_.string());
  store.track("pg_slots/orders", "f1");
  store.save("pg_slots/orders", {{"count", 3}});
  auto state = store.load("pg_slots/orders");
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ((*state)["count"], 3);
  fs::remove(dir_);
}

}  // namespace
}  // namespace cdcwatch
