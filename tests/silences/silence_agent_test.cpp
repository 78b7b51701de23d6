// The real `cdcwatch silence` commands against a real running agent and a local PagerDuty: the
// agent picks up each change of silences.json by itself (no signal, no HTTP write). The rule fires
// at once on the agent's own reading of its outbox, so no other system is needed.
#include <gtest/gtest.h>
#include <signal.h>

#include <regex>

#include "agent/http/http_client.h"
#include "tests/support/child_process.h"
#include "tests/support/eventually.h"
#include "tests/support/pagerduty_server.h"

namespace cdcwatch {
namespace {

using namespace std::chrono_literals;
using testing::ChildProcess;
using testing::eventually;
using testing::run_process;

const std::string kRoutingKey = "S1LENCETESTKEY0123456789abcdef01";

class SilenceAgent : public ::testing::Test {
 protected:
  void SetUp() override {
    pagerduty_.start();
    config_ = dir_.write("c.yml", "agent:\n  state_dir: " + dir_.path() + R"(/state
  listen: 127.0.0.1:0
  interval: 200ms
alerts:
  min_time_before_resolve: 0s
  rules:
    - alert: TestOutboxWritten
      metric: cdcwatch_notification_outbox_durable
      equals: 1
      severity: critical
      summary: "The {{notifier}} outbox is on disk"
      runbook: runbooks/notifications-failing.md
notifiers:
  pagerduty:
    routing_key: ${env:CDCWATCH_TEST_PD_KEY}
    url: )" + pagerduty_.url() + "\n  retry_max_delay: 1s\n");
  }

  // The command's stdout (`add` prints the id on its first line).
  std::string silence(std::vector<std::string> args) {
    args.insert(args.begin(), {CDCWATCH_BINARY, "silence"});
    args.insert(args.begin() + 3, {"--config", config_});
    auto result = run_process(args);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return result.out;
  }
  std::string add_silence(const std::string& match, const std::string& duration) {
    std::string out =
        silence({"add", "--match", match, "--duration", duration, "--comment", "testing"});
    return out.substr(0, out.find('\n'));
  }
  int start_agent() {
    agent_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{CDCWATCH_BINARY, "run", "--config", config_},
        std::vector<std::string>{"CDCWATCH_TEST_PD_KEY=" + kRoutingKey});
    EXPECT_TRUE(agent_->wait_for_err("listening on port", 10s)) << agent_->err();
    std::smatch match;
    std::string err = agent_->err();
    if (!std::regex_search(err, match, std::regex("listening on port ([0-9]+)"))) return -1;
    return std::stoi(match[1]);
  }
  nlohmann::json status() const {
    auto response = send_http({.url = base_ + "/status"});
    return nlohmann::json::parse(response.body, nullptr, false);
  }
  // What covers the firing alert now ("silence" or "maintenance"), or null.
  nlohmann::json suppressed_by() const {
    auto alerts = status();
    if (alerts.is_discarded() || alerts["alerts"]["active"].empty()) return nullptr;
    return alerts["alerts"]["active"][0].value("suppressed_by", nlohmann::json());
  }

  testing::TempDir dir_;
  testing::PagerDutyServer pagerduty_;
  std::string config_;
  std::string base_;
  std::unique_ptr<ChildProcess> agent_;
};

TEST_F(SilenceAgent, TheRunningAgentFollowsAddExpireAndAddAgain) {
  std::string first = add_silence("alert=TestOutboxWritten", "2h");
  ASSERT_EQ(first.size(), 16u);
  int port = start_agent();
  ASSERT_GT(port, 0);
  base_ = "http://127.0.0.1:" + std::to_string(port);
  ASSERT_TRUE(eventually([&] {
    return suppressed_by() == nlohmann::json{{"silence", first}};
  })) << status().dump(2)
      << agent_->err();
  auto metrics = send_http({.url = base_ + "/metrics"}).body;
  EXPECT_NE(
      metrics.find("cdcwatch_alert_silenced{alert=\"TestOutboxWritten\",severity=\"critical\","
                   "notifier=\"pagerduty\"} 1"),
      std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("cdcwatch_alert_state{alert=\"TestOutboxWritten\",severity=\"critical\","
                         "notifier=\"pagerduty\"} 2"),
            std::string::npos);
  EXPECT_EQ(status()["alerts"]["notifiers"][0]["queued"], 0) << "no page was decided";
  EXPECT_TRUE(pagerduty_.accepted().empty());

  silence({"expire", first});
  ASSERT_TRUE(eventually([&] { return pagerduty_.accepted().size() == 1; })) << agent_->err();
  EXPECT_EQ(pagerduty_.accepted()[0]["event_action"], "trigger");
  EXPECT_TRUE(suppressed_by().is_null());
  EXPECT_NE(agent_->err().find("silence " + first + " (alert=TestOutboxWritten, until "),
            std::string::npos)
      << "the log says which silence held the page";
  EXPECT_TRUE(agent_->wait_for_err("what it held pages if it still fires", 5s)) << agent_->err();

  std::string second = add_silence("notifier=pagerduty", "30m");
  ASSERT_TRUE(eventually([&] {
    return suppressed_by() == nlohmann::json{{"silence", second}};
  })) << agent_->err();
  EXPECT_EQ(pagerduty_.accepted().size(), 1u) << "the silence did not resolve the incident";
  ASSERT_EQ(pagerduty_.incidents().size(), 1u);
  EXPECT_TRUE(pagerduty_.incidents()[0].open);
  EXPECT_NE(silence({"list"}).find(second + "  active"), std::string::npos);

  agent_->signal(SIGTERM);
  EXPECT_EQ(agent_->wait(5s), 0) << agent_->err();
}

}  // namespace
}  // namespace cdcwatch
