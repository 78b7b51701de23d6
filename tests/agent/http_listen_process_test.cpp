// Two `cdcwatch run` processes on one address (issue 22): the second fails start-up with exit 3
// and an error naming the address, and the first keeps serving alone.
#include <gtest/gtest.h>
#include <signal.h>

#include <regex>

#include "agent/http/http_client.h"
#include "tests/support/child_process.h"

namespace cdcwatch {
namespace {

using namespace std::chrono_literals;
using testing::ChildProcess;
using testing::TempDir;

const std::string kBinary = CDCWATCH_BINARY;

std::string config_listening_on(const TempDir& dir, const std::string& name,
                                const std::string& listen) {
  return dir.write(name, "agent:\n  state_dir: " + dir.path() + "/" + name +
                             ".state\n  listen: " + listen + "\n");
}

TEST(ExclusiveListen, ASecondAgentOnTheSameAddressExitsThreeNamingIt) {
  TempDir dir;
  ChildProcess first(
      {kBinary, "run", "--config", config_listening_on(dir, "a.yml", "127.0.0.1:0")});
  ASSERT_TRUE(first.wait_for_err("listening on port", 10s)) << first.err();
  std::smatch match;
  std::string log = first.err();
  ASSERT_TRUE(std::regex_search(log, match, std::regex("listening on port ([0-9]+)")));
  std::string address = "127.0.0.1:" + match[1].str();

  auto second = testing::run_process(
      {kBinary, "run", "--config", config_listening_on(dir, "b.yml", address)}, {}, 10s);
  EXPECT_EQ(second.exit_code, 3) << second.err;
  EXPECT_NE(second.err.find("cannot listen on " + address), std::string::npos) << second.err;
  EXPECT_NE(second.err.find("already in use"), std::string::npos) << second.err;

  EXPECT_EQ(send_http({.url = "http://" + address + "/healthz"}).body, "ok\n");
  first.signal(SIGTERM);
  EXPECT_EQ(first.wait(5s), 0) << first.err();
}

}  // namespace
}  // namespace cdcwatch
