// The Kafka Connect probe of one cluster: connector and task state, offset progress, and
// "stalled": RUNNING with all tasks RUNNING, input waiting, and offsets not advanced for
// stall_after (the case study's Challenge 4). See README.md for the rule and its inputs.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agent/core/probe.h"
#include "probes/connect/connect_config.h"
#include "probes/connect/connector_offsets.h"
#include "probes/connect/connector_status.h"

namespace cdcwatch {

struct HttpResponse;

class ConnectProbe final : public Probe {
 public:
  // `share_sink_groups` (may be empty) hands the current connect-<sink> groups to the kafka
  // entry's lag probe whenever the set of sink connectors changes.
  ConnectProbe(ConnectConfig config, const KafkaClusterConfig* kafka, Millis default_interval,
               std::function<void(const std::vector<std::string>&)> share_sink_groups);
  std::string name() const override { return "connect/" + config_.name; }
  Millis interval() const override { return interval_; }
  Millis timeout() const override { return std::max(interval_, config_.request_timeout * 4); }
  CollectOutcome collect(const CollectContext& ctx) override;

 private:
  struct Progress {
    std::optional<double> value;
    TimePoint since{};
    std::string method;
  };
  struct Input {
    std::optional<bool> waiting;
    std::optional<double> source_lsn;
    std::optional<double> source_lag_bytes;
    std::string note;
  };

  HttpResponse get(const std::string& path, TimePoint deadline, const Clock& clock);
  std::string read_connectors(const CollectContext& ctx, std::vector<ConnectorStatus>& out,
                              bool& reachable);
  std::optional<double> progress_value(const ConnectorStatus& connector, const CollectContext& ctx,
                                       std::string& method);
  Input input_of(const ConnectorStatus& connector, std::optional<double> source_lsn,
                 const ReadingsView& latest) const;
  void report(const ConnectorStatus& connector, const CollectContext& ctx, CollectOutcome& outcome);

  ConnectConfig config_;
  std::optional<KafkaClusterConfig> kafka_;
  Millis interval_;
  std::function<void(const std::vector<std::string>&)> share_sink_groups_;
  std::optional<std::vector<std::string>> shared_sink_groups_;
  std::optional<bool> offsets_api_;  // unknown until the first answer
  std::unique_ptr<OffsetsTopicReader> offsets_topic_;
  std::string offsets_topic_error_;
  std::map<std::string, Progress> progress_;
};

}  // namespace cdcwatch
