// The Kafka Connect probe of one cluster: connector and task state, config, and offset progress,
// all read from Connect alone. The stall rule (Challenge 4), which also needs the slot's and the
// sink group's readings, is the pipeline stage's (agent/pipeline/connector_stall.h).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agent/core/probe.h"
#include "agent/http/request_watchdog.h"
#include "probes/connect/connect_config.h"
#include "probes/connect/connector_offsets.h"
#include "probes/connect/connector_status.h"

namespace cdcwatch {

struct HttpResponse;

class ConnectProbe final : public Probe {
 public:
  // `kafka` (may be null) is where the workers' offsets topic is, for workers without the
  // offsets API.
  ConnectProbe(ConnectConfig config, const KafkaClusterConfig* kafka, Millis default_interval);
  std::string name() const override { return "connect/" + config_.name; }
  Millis interval() const override { return interval_; }
  Millis timeout() const override { return std::max(interval_, config_.request_timeout * 4); }
  CollectOutcome collect(const CollectContext& ctx) override;
  // Cuts a REST call in flight short, so that shutdown never waits for a slow worker.
  void stop() override { canceller_.cancel(); }
  // When each connector's offsets last moved, so a restart does not restart the stall clock.
  nlohmann::json save_state() const override;
  void restore_state(const nlohmann::json& state) override;

 private:
  struct Progress {
    std::optional<double> value;
    TimePoint since{};
    std::string method;
  };

  HttpResponse get(const std::string& path, TimePoint deadline, const Clock& clock);
  std::string read_connectors(const CollectContext& ctx, std::vector<ConnectorStatus>& out,
                              bool& reachable);
  std::optional<double> progress_value(const ConnectorStatus& connector, const CollectContext& ctx,
                                       std::string& method);
  void report(const ConnectorStatus& connector, const CollectContext& ctx, CollectOutcome& outcome);

  ConnectConfig config_;
  std::optional<KafkaClusterConfig> kafka_;
  HttpCanceller canceller_;
  bool request_timed_out_ = false;  // this cycle: a REST call ran out of time
  Millis interval_;
  std::optional<bool> offsets_api_;  // unknown until the first answer
  std::unique_ptr<OffsetsTopicReader> offsets_topic_;
  std::string offsets_topic_error_;
  std::map<std::string, Progress> progress_;
};

}  // namespace cdcwatch
