// The `connect:` section and a whole agent exporting the Connect probe's series.
#include <gtest/gtest.h>

#include <cstdlib>
#include <thread>

#include "agent/app/agent.h"
#include "agent/app/config.h"
#include "tests/support/agent_metrics.h"
#include "tests/support/child_process.h"
#include "tests/support/connect_server.h"
#include "tests/support/eventually.h"

namespace cdcwatch {
namespace {

using namespace std::chrono_literals;

std::string error_of(const std::string& text) {
  try {
    parse_config(ConfigNode::load_string(text, "cdcwatch.yml"));
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(ConnectSection, MistakesNameTheKeyAndTheFix) {
  EXPECT_NE(error_of("connect:\n  - name: c\n    url: http://w:8083\n    stall_after: 30s\n")
                .find("offset.flush.interval.ms"),
            std::string::npos);
  EXPECT_NE(error_of("connect:\n  - name: c\n    url: http://w:8083\n    username: u\n")
                .find("both username and password"),
            std::string::npos);
  EXPECT_NE(error_of("connect:\n  - name: c\n    url: http://w:8083\n    kafka: nope\n")
                .find("no kafka entry named 'nope'"),
            std::string::npos);
  EXPECT_NE(error_of("connect:\n  - name: c\n    url: w:8083\n").find("expected http://"),
            std::string::npos);
}

TEST(ConnectSection, TheAgentExportsConnectorStatesAndRedactsThePassword) {
  setenv("CDCWATCH_TEST_CONNECT_PASSWORD", "connect-secret-value", 1);
  testing::ConnectServer worker;
  worker.require_basic_auth("monitor", "connect-secret-value");
  worker.put("snowflake-sink", testing::ConnectServer::Connector{.type = "sink"});
  worker.start();
  testing::TempDir state;
  Config config = parse_config(
      ConfigNode::load_string("agent:\n  state_dir: " + state.path() +
                                  "\n  listen: 127.0.0.1:0\n  interval: 1s\n"
                                  "connect:\n  - name: connect\n    url: " +
                                  worker.url() +
                                  "\n    username: monitor\n"
                                  "    password: ${env:CDCWATCH_TEST_CONNECT_PASSWORD}\n",
                              "test.yml"));
  EXPECT_EQ(effective_config(config).dump().find("connect-secret-value"), std::string::npos);
  SystemClock clock;
  Agent agent(config, clock);
  agent.start();
  std::string text = testing::metrics_containing(agent, "cdcwatch_connector_state{");
  std::string status = agent.status().dump();
  agent.stop();
  EXPECT_NE(text.find("cdcwatch_connect_up{connect=\"connect\"} 1"), std::string::npos)
      << text.substr(0, 3000);
  EXPECT_NE(text.find("cdcwatch_connector_state{connect=\"connect\",connector=\"snowflake-sink\","
                      "type=\"sink\",state=\"RUNNING\"} 1"),
            std::string::npos);
  EXPECT_EQ(status.find("connect-secret-value"), std::string::npos);
  EXPECT_EQ(text.find("connect-secret-value"), std::string::npos);
}

}  // namespace
}  // namespace cdcwatch
