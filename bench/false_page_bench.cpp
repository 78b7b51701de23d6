// False pages on a quiet pipeline: a Kafka Connect sink that commits every 60 s (Connect's default
// offset.flush.interval.ms) on a topic that receives one record every 10 minutes, watched for a
// simulated day on a faked clock by the consumer-lag probe with the shipped defaults (15 s
// interval, window 10, stop_after 5m) and evaluated by the shipped rules (alerts/rules.yml).
// Goal: 0 pages. A control run, in which the same sink stops committing after two hours while
// records keep arriving, must page: it shows the count can fail.
// The brokers are librdkafka's mock cluster (the real protocol on loopback); record timestamps
// follow the faked clock, so lag in seconds is measured as in production.
// Usage: false_page_bench [simulated hours, default 24]
#include <chrono>
#include <cstdio>
#include <map>
#include <set>
#include <string>

#include "agent/alerting/alert_evaluator.h"
#include "agent/alerting/rule_set.h"
#include "agent/core/readings_store.h"
#include "probes/kafka_lag/kafka_lag_probe.h"
#include "tests/support/kafka_mock_cluster.h"

namespace {

using namespace cdcwatch;
using namespace std::chrono_literals;

constexpr const char* kTopic = "shop.public.orders";
constexpr const char* kGroup = "connect-orders-snowflake";

// A page is a trigger that opens an incident (its dedup_key not open already); a trigger on an
// open incident (an escalation, or the re-send every alerts.retrigger_interval) is not a new page.
struct DayResult {
  int cycles = 0;
  int records = 0;
  int commits = 0;
  std::map<std::string, int> pages_by_alert;
  int resent = 0;
  std::set<std::string> open;  // dedup keys
  int pages() const {
    int total = 0;
    for (const auto& [alert, count] : pages_by_alert) total += count;
    return total;
  }
  void record(const AlertEvent& event) {
    if (event.action == AlertEvent::Action::kResolve) {
      open.erase(event.dedup_key);
    } else if (open.insert(event.dedup_key).second) {
      ++pages_by_alert[event.alert];
    } else {
      ++resent;
    }
  }
};

// One simulated run; the sink stops committing at `sink_stops_after` (never when longer than the
// run).
DayResult simulate(std::chrono::hours length, std::chrono::seconds sink_stops_after) {
  testing::KafkaMockCluster kafka{1};
  kafka.create_topic(kTopic, 1);
  FakeClock clock{TimePoint(std::chrono::seconds(1'800'000'000))};
  const TimePoint start = clock.now();

  KafkaClusterConfig config;  // the shipped defaults, but for the cluster and the group
  config.name = "msk";
  config.bootstrap_servers = kafka.bootstrap();
  config.consumer_groups = {kGroup};
  const Millis interval(15000);
  KafkaLagProbe probe(config, interval);
  probe.start();
  ReadingsStore store;
  AlertEvaluator evaluator(default_rules(), EvaluatorOptions{});

  DayResult result;
  int64_t high_watermark = 0;
  const auto step = std::chrono::seconds(1);
  for (auto elapsed = 0s; elapsed < length; elapsed += step) {
    clock.set(start + elapsed);
    const auto t = elapsed.count();
    // A record every 10 minutes, 7 s into the minute so arrivals, commits and cycles interleave.
    if (t % 600 == 7) {
      auto now_ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(clock.now().time_since_epoch())
              .count();
      high_watermark = kafka.produce(kTopic, 0, "k", "v", now_ms) + 1;
      ++result.records;
    }
    // The sink reads each record at once and commits what it read at every flush.
    if (t % 60 == 0 && elapsed < sink_stops_after) {
      kafka.commit(kGroup, kTopic, 0, high_watermark);
      ++result.commits;
    }
    if (t % 15 == 0) {
      auto outcome = probe.collect({clock.now() + interval, clock, store});
      store.publish(probe.name(), std::move(outcome.readings));
      for (const auto& event : evaluator.evaluate(store, clock.now(), true)) result.record(event);
      ++result.cycles;
    }
  }
  return result;
}

void print_row(const char* run, const DayResult& r, const char* goal) {
  std::string alerts;
  for (const auto& [alert, count] : r.pages_by_alert) {
    alerts += (alerts.empty() ? "" : ", ") + alert + " ×" + std::to_string(count);
  }
  std::printf("| %s | %d | %d | %d | %d | %s | %d | %s |\n", run, r.cycles, r.records, r.commits,
              r.pages(), alerts.empty() ? "none" : alerts.c_str(), r.resent, goal);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  const std::chrono::hours length(argc > 1 ? std::stoi(argv[1]) : 24);
  std::printf("simulated %lld h, one record every 10 min, sink commits every 60 s\n\n",
              static_cast<long long>(length.count()));
  std::printf(
      "| run | probe cycles | records | commits | pages (incidents opened) | alerts | triggers "
      "re-sent on open incidents | goal |\n");
  std::printf("| --- | ---: | ---: | ---: | ---: | --- | ---: | --- |\n");
  print_row("healthy quiet sink", simulate(length, length + 1h), "0 pages");
  print_row("sink stops committing after 2 h (control)", simulate(std::min(length, 4h), 2h),
            "pages");
  return 0;
}
