// Reload and restart keep detection (#15 item 5): an agent reloaded in place or restarted on the
// same state_dir gives every probe whose config entry is unchanged its saved state back, while a
// changed entry starts fresh, added entries start and removed ones stop; the endpoints keep
// serving through a reload. The probes are counters (tests/agent/counter_probe.h) named like the
// pg_slots probes of the config's postgres: entries; nothing connects anywhere.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "agent/app/agent.h"
#include "agent/http/http_client.h"
#include "tests/agent/counter_probe.h"
#include "tests/support/eventually.h"
#include "tests/support/metrics_text.h"

namespace cdcwatch {
namespace {

namespace fs = std::filesystem;
using testing::CounterProbe;
using testing::eventually;
using testing::MetricsText;
using testing::RestoredCounts;

// A socket bound to a free loopback port, listening while `keep_listening`; returns its port.
int bind_loopback(int& fd, bool keep_listening) {
  fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  if (keep_listening) {
    ::listen(fd, 1);
  } else {
    ::close(fd);
  }
  return ntohs(address.sin_port);
}

class AgentReloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    state_dir_ = fs::temp_directory_path() /
                 ("cdcwatch-reload-" + std::to_string(::getpid()) + "-" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(state_dir_);
  }
  void TearDown() override { fs::remove_all(state_dir_); }

  // postgres: entries named after `entries` ("orders" or "orders dsn-suffix").
  Config config(const std::vector<std::pair<std::string, std::string>>& entries,
                const std::string& listen = "127.0.0.1:0") const {
    std::string yaml = "agent: { listen: '" + listen + "', state_dir: '" + state_dir_.string() +
                       "' }\npostgres:\n";
    for (const auto& [name, db] : entries) {
      yaml += "  - { name: " + name + ", dsn: 'host=127.0.0.1 dbname=" + db + "' }\n";
    }
    return parse_config(ConfigNode::load_string(yaml, "reload-test.yml"));
  }

  ProbeBuilder counters() {
    return [restored = restored_](const Config& config, const Clock&) {
      std::vector<std::unique_ptr<Probe>> probes;
      for (const auto& source : config.postgres) {
        probes.push_back(std::make_unique<CounterProbe>("pg_slots/" + source.name, restored));
      }
      return probes;
    };
  }

  static std::optional<double> count(const Agent& agent, const std::string& probe) {
    return MetricsText(agent.metrics_text()).value("cdcwatch_test_counter", {{"probe", probe}});
  }
  static bool counted_to(const Agent& agent, const std::string& probe, double at_least) {
    auto value = count(agent, probe);
    return value && *value >= at_least;
  }
  static int healthz(const Agent& agent) {
    HttpRequest request;
    request.url = "http://127.0.0.1:" + std::to_string(agent.port()) + "/healthz";
    return send_http(request).status;
  }

  fs::path state_dir_;
  std::shared_ptr<RestoredCounts> restored_ = std::make_shared<RestoredCounts>();
  SystemClock clock_;
};

TEST_F(AgentReloadTest, AnUnchangedEntryKeepsItsStateAndAChangedOneStartsFresh) {
  Agent agent(config({{"orders", "shop"}, {"stock", "shop"}, {"gone", "shop"}}), clock_,
              counters());
  agent.start();
  int port = agent.port();
  ASSERT_TRUE(eventually([&] { return counted_to(agent, "pg_slots/orders", 5); }));
  ASSERT_TRUE(eventually([&] { return counted_to(agent, "pg_slots/stock", 5); }));
  restored_->clear();

  ASSERT_TRUE(
      agent.reload(config({{"orders", "shop"}, {"stock", "warehouse"}, {"added", "shop"}})));

  EXPECT_GE(restored_->of("pg_slots/orders"), 5);  // unchanged: carries on
  EXPECT_EQ(restored_->of("pg_slots/stock"), -1);  // its dsn changed: fresh
  EXPECT_EQ(restored_->of("pg_slots/added"), -1);
  EXPECT_EQ(agent.port(), port);  // the endpoints were not rebound
  ASSERT_TRUE(eventually([&] { return counted_to(agent, "pg_slots/added", 1); }));
  EXPECT_FALSE(count(agent, "pg_slots/gone").has_value());
  EXPECT_FALSE(fs::exists(state_dir_ / "probes" / "pg_slots%2Fgone.json"));
  EXPECT_TRUE(agent.healthy());
  EXPECT_EQ(healthz(agent), 200);
  EXPECT_TRUE(agent.stop());
}

TEST_F(AgentReloadTest, AfterAReloadTheProbesCycleAndHealthzSaysSo) {
  Agent agent(config({{"orders", "shop"}}), clock_, counters());
  agent.start();
  ASSERT_TRUE(eventually([&] { return counted_to(agent, "pg_slots/orders", 2); }));
  ASSERT_TRUE(agent.reload(config({{"orders", "shop"}})));
  double after_reload = count(agent, "pg_slots/orders").value_or(0);
  // The symptom of #23: every probe stopped after SIGHUP while /healthz said 200.
  EXPECT_TRUE(eventually([&] { return counted_to(agent, "pg_slots/orders", after_reload + 3); }));
  EXPECT_EQ(healthz(agent), 200);
  agent.stop();
  EXPECT_FALSE(agent.healthy());
}

TEST_F(AgentReloadTest, AChangedListenRebindsAndABusyAddressKeepsTheOldEndpoint) {
  Agent agent(config({{"orders", "shop"}}), clock_, counters());
  agent.start();
  int first_port = agent.port();
  int busy_fd = -1;
  int busy = bind_loopback(busy_fd, true);
  EXPECT_FALSE(agent.reload(config({{"orders", "shop"}}, "127.0.0.1:" + std::to_string(busy))));
  ::close(busy_fd);
  EXPECT_EQ(agent.port(), first_port);
  EXPECT_EQ(healthz(agent), 200);

  int free_fd = -1;
  int free_port = bind_loopback(free_fd, false);
  ASSERT_TRUE(agent.reload(config({{"orders", "shop"}}, "127.0.0.1:" + std::to_string(free_port))));
  EXPECT_EQ(agent.port(), free_port);
  EXPECT_EQ(healthz(agent), 200);
  agent.stop();
}

// A rule pending on the counter for an hour: a reload that rebuilt alerting would restart its
// `for` clock, delaying the page by however long it had already waited.
TEST_F(AgentReloadTest, APendingAlertKeepsItsClockAcrossAReload) {
  FakeClock clock;
  auto with_rule = [&](const std::string& db) {
    return parse_config(ConfigNode::load_string(
        "agent: { listen: '127.0.0.1:0', state_dir: '" + state_dir_.string() +
            "' }\npostgres:\n  - { name: orders, dsn: 'dbname=" + db +
            "' }\nalerts:\n  rules:\n    - { alert: CounterHigh, metric: cdcwatch_test_counter, "
            "above: 0, for: 1h, severity: warning, stage: source, summary: counting, runbook: "
            "runbooks/x.md }\n",
        "reload-test.yml"));
  };
  auto pending_since = [](const Agent& agent) -> std::string {
    nlohmann::json status = agent.status();
    for (const auto& active : status["alerts"]["active"]) {
      if (active["alert"] == "CounterHigh") return active["since"];
    }
    return "";
  };
  Agent agent(with_rule("shop"), clock, counters());
  agent.start();
  ASSERT_TRUE(eventually([&] { return !pending_since(agent).empty(); }));
  std::string since = pending_since(agent);
  clock.advance(std::chrono::minutes(30));
  ASSERT_TRUE(agent.reload(with_rule("warehouse")));  // a probe entry changed, not alerting
  EXPECT_EQ(pending_since(agent), since);
  agent.stop();
}

TEST_F(AgentReloadTest, ARestartOnTheSameStateDirCarriesOn) {
  {
    Agent first(config({{"orders", "shop"}}), clock_, counters());
    first.start();
    ASSERT_TRUE(eventually([&] { return counted_to(first, "pg_slots/orders", 5); }));
    first.stop();
  }
  Agent second(config({{"orders", "shop"}}), clock_, counters());
  second.start();
  EXPECT_GE(restored_->of("pg_slots/orders"), 5);
  second.stop();
}

TEST_F(AgentReloadTest, ACorruptStateFileIsAWarningAndAFreshStart) {
  fs::create_directories(state_dir_ / "probes");
  std::ofstream(state_dir_ / "probes" / "pg_slots%2Forders.json") << "{\"format\": \"cdcw";
  Agent agent(config({{"orders", "shop"}}), clock_, counters());
  agent.start();
  EXPECT_EQ(restored_->of("pg_slots/orders"), -1);
  EXPECT_TRUE(eventually([&] { return counted_to(agent, "pg_slots/orders", 2); }));
  agent.stop();
}

TEST_F(AgentReloadTest, AConfigWhoseProbesCannotBeBuiltLeavesTheRunningOneInForce) {
  int builds = 0;
  ProbeBuilder build = [&, inner = counters()](const Config& config, const Clock& clock) {
    if (++builds > 1) throw std::runtime_error("cannot build");
    return inner(config, clock);
  };
  Agent agent(config({{"orders", "shop"}}), clock_, build);
  agent.start();
  EXPECT_FALSE(agent.reload(config({{"stock", "shop"}})));
  ASSERT_TRUE(eventually([&] { return counted_to(agent, "pg_slots/orders", 2); }));
  EXPECT_TRUE(agent.healthy());
  agent.stop();
}

}  // namespace
}  // namespace cdcwatch
