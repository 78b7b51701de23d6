// `cdcwatch silence add|list|expire` through the real binary: the file it writes, its exit codes
// (0 ok, 1 invalid config, 2 usage error) and errors that name the bad part.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "agent/core/durable_file.h"
#include "agent/silences/silence_file.h"
#include "tests/support/child_process.h"

namespace cdcwatch {
namespace {

using testing::run_process;

class SilenceCli : public ::testing::Test {
 protected:
  testing::RunResult silence(std::vector<std::string> args) {
    args.insert(args.begin(), {CDCWATCH_BINARY, "silence"});
    return run_process(args);
  }
  testing::TempDir dir_;
  // Only agent.state_dir is read: the probes' secrets need not be set where people run this.
  std::string config_ = dir_.write("c.yml", "agent:\n  state_dir: " + dir_.path() +
                                                "/state\npostgres:\n  - name: shop\n    dsn: "
                                                "${env:CDCWATCH_UNSET_DSN}\n");
  std::string file_ = silence_file_path(dir_.path() + "/state");
};

TEST_F(SilenceCli, AddPrintsTheIdListShowsItExpireEndsIt) {
  auto added = silence({"add", "--config", config_, "--match", "pipeline=orders,hop=sink",
                        "--duration", "2h", "--comment", "re-keying the Snowflake user"});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  std::string id = added.out.substr(0, added.out.find('\n'));
  auto stored = read_silences(file_);
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].id, id);
  EXPECT_EQ(stored[0].matcher.text(), "pipeline=orders,hop=sink");
  EXPECT_EQ(stored[0].ends_at - stored[0].starts_at, std::chrono::hours(2));

  auto listed = silence({"list", "--config", config_});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find(id + "  active"), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("re-keying the Snowflake user"), std::string::npos) << listed.out;

  auto expired = silence({"expire", "--config", config_, id});
  ASSERT_EQ(expired.exit_code, 0) << expired.err;
  EXPECT_FALSE(read_silences(file_).at(0).active_at(std::chrono::system_clock::now()));
  EXPECT_NE(silence({"list", "--config", config_}).out.find(id + "  expired"), std::string::npos);
}

// The agent runs as its own user (systemd DynamicUser); people run `silence` as root. As root the
// file goes to the state_dir's owner, else it stays the caller's.
TEST_F(SilenceCli, TheFileBelongsToTheStateDirsOwnerSoTheAgentCanReadIt) {
  std::string state_dir = dir_.path() + "/state";
  std::filesystem::create_directories(state_dir);
  const uid_t agent_user = ::geteuid() == 0 ? 65534 : ::geteuid();  // nobody, when we may chown
  ASSERT_EQ(::chown(state_dir.c_str(), agent_user, agent_user), 0);
  auto added = silence(
      {"add", "--config", config_, "--match", "hop=sink", "--duration", "1h", "--comment", "x"});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  struct stat file {};
  ASSERT_EQ(::stat(file_.c_str(), &file), 0);
  EXPECT_EQ(file.st_uid, agent_user);
  EXPECT_EQ(file.st_mode & 0777, 0600u);
  EXPECT_FALSE(std::filesystem::exists(file_ + ".new"));
}

TEST_F(SilenceCli, UsageErrorsNameTheBadPartAndExit2) {
  struct Case {
    std::vector<std::string> args;
    const char* expected;
  };
  for (const Case& c : {
           Case{{"add", "--config", config_, "--match", "pipeline", "--duration", "1h", "--comment",
                 "x"},
                "bad matcher part 'pipeline'"},
           Case{{"add", "--config", config_, "--match", "hop=snk", "--duration", "1h", "--comment",
                 "x"},
                "unknown hop 'snk'"},
           Case{{"add", "--config", config_, "--match", "hop=sink", "--duration", "soon",
                 "--comment", "x"},
                "--duration: 'soon'"},
           Case{{"add", "--config", config_, "--match", "hop=sink", "--duration", "1h"},
                "needs --comment"},
           Case{{"expire", "--config", config_, "0123456789abcdef"}, "no silence with id"},
           Case{{"mute", "--config", config_}, "unknown silence command 'mute'"},
           Case{{"list"}, "needs --config"},
       }) {
    auto result = silence(c.args);
    EXPECT_EQ(result.exit_code, 2) << c.expected;
    EXPECT_NE(result.err.find(c.expected), std::string::npos) << result.err;
  }
  EXPECT_TRUE(read_silences(file_).empty());
}

TEST_F(SilenceCli, AMissingConfigExits1AndADamagedFileExits3Untouched) {
  auto missing = silence({"list", "--config", dir_.file("nope.yml")});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("invalid config"), std::string::npos) << missing.err;

  std::filesystem::create_directories(dir_.path() + "/state");
  std::string damaged = "{\"version\": 1, \"silences\": [";
  dir_.write("state/silences.json", damaged);
  auto added = silence(
      {"add", "--config", config_, "--match", "hop=sink", "--duration", "1h", "--comment", "x"});
  EXPECT_EQ(added.exit_code, 3);
  EXPECT_NE(added.err.find("is damaged: not valid JSON"), std::string::npos) << added.err;
  EXPECT_EQ(*read_whole_file(file_), damaged) << "never overwrite silences we could not read";
}

}  // namespace
}  // namespace cdcwatch
