#include "agent/silences/silence_file.h"

#include <gtest/gtest.h>

#include <fstream>

#include "agent/silences/rfc3339.h"
#include "tests/support/child_process.h"

namespace cdcwatch {
namespace {

using namespace std::chrono_literals;

Silence silence(const std::string& id, TimePoint starts, TimePoint ends) {
  return {id,    parse_matcher("pipeline=orders,hop=sink"), starts, ends, "re-keying the sink",
          starts};
}

TEST(Rfc3339, ReadsUtcOffsetsAndFractions) {
  EXPECT_EQ(parse_rfc3339("2026-12-01T02:00:00Z"), TimePoint(1'796'090'400s));
  EXPECT_EQ(parse_rfc3339("2026-12-01T03:00:00+01:00"), TimePoint(1'796'090'400s));
  EXPECT_EQ(parse_rfc3339("2026-11-30T21:00:00.250-05:00"), TimePoint(1'796'090'400s + 250ms));
  for (const char* bad : {"2026-12-01", "2026-12-01T02:00:00", "2026-13-01T00:00:00Z",
                          "2026-02-30T00:00:00Z", "2026-12-01T02:00:00Zjunk", "tomorrow"}) {
    EXPECT_FALSE(parse_rfc3339(bad)) << bad;
  }
}

TEST(SilenceFile, WritesAndReadsBackEverySilence) {
  testing::TempDir dir;
  std::string path = silence_file_path(dir.path() + "/state");
  TimePoint now(1'800'000'000s);
  write_silences(path, {silence("a1", now, now + 2h)}, now);
  auto read = read_silences(path);
  ASSERT_EQ(read.size(), 1u);
  EXPECT_EQ(read[0].id, "a1");
  EXPECT_EQ(read[0].matcher.text(), "pipeline=orders,hop=sink");
  EXPECT_EQ(read[0].ends_at, now + 2h);
  EXPECT_EQ(read[0].comment, "re-keying the sink");
  EXPECT_TRUE(read[0].active_at(now + 1h));
  EXPECT_FALSE(read[0].active_at(now + 2h));
}

TEST(SilenceFile, AMissingFileHasNoSilences) {
  testing::TempDir dir;
  EXPECT_TRUE(read_silences(dir.file("silences.json")).empty());
}

TEST(SilenceFile, PrunesSilencesThatEndedADayAgo) {
  testing::TempDir dir;
  std::string path = dir.file("silences.json");
  TimePoint now(1'800'000'000s);
  write_silences(path,
                 {silence("old", now - 30h, now - 25h), silence("recent", now - 3h, now - 1h),
                  silence("live", now, now + 1h)},
                 now);
  auto read = read_silences(path);
  ASSERT_EQ(read.size(), 2u);
  EXPECT_EQ(read[0].id, "recent") << "kept for `silence list` a while after it ended";
  EXPECT_EQ(read[1].id, "live");
}

TEST(SilenceFile, DamageIsNamedNeverACrash) {
  testing::TempDir dir;
  struct Case {
    const char* content;
    const char* expected;
  };
  for (const Case& c :
       {Case{"{\"version\": 1, \"silen", "not valid JSON"}, Case{"[]", "expected {\"version\": 1"},
        Case{"{\"version\": 2, \"silences\": []}", "written by a newer cdcwatch"},
        Case{"{\"version\": 1, \"silences\": [{\"id\": \"x\"}]}", "silences[0]"},
        Case{"{\"version\": 1, \"silences\": [{\"id\": \"x\", \"match\": \"hop\", \"starts_at\": "
             "\"2026-12-01T02:00:00Z\", \"ends_at\": \"2026-12-01T02:00:00Z\", \"created_at\": "
             "\"2026-12-01T02:00:00Z\"}]}",
             "silence x: bad matcher part 'hop'"},
        Case{"{\"version\": 1, \"silences\": [{\"id\": \"x\", \"match\": \"hop=sink\", "
             "\"starts_at\": \"soon\", \"ends_at\": \"2026-12-01T02:00:00Z\", \"created_at\": "
             "\"2026-12-01T02:00:00Z\"}]}",
             "starts_at is not an RFC 3339 timestamp"}}) {
    std::string path = dir.write("silences.json", c.content);
    try {
      read_silences(path);
      ADD_FAILURE() << c.content << " was accepted";
    } catch (const SilenceFileError& e) {
      std::string message = e.what();
      EXPECT_NE(message.find(c.expected), std::string::npos) << message;
      EXPECT_NE(message.find(path), std::string::npos) << message;
    }
  }
}

}  // namespace
}  // namespace cdcwatch
