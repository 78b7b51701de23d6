// The canary's Kafka stage: an assigned (group-less, never committing) consumer on the canary
// topic that starts at each partition's last record and reads every change event since, keeping
// the newest canary of this agent: its freshness, its latency (written_at to the record's Kafka
// timestamp, exact) and the Debezium hops (db_to_capture, capture_to_kafka).
#pragma once

#include <map>
#include <memory>
#include <optional>

#include "agent/core/probe.h"
#include "probes/canary/canary_config.h"
#include "probes/canary/canary_event_decoder.h"
#include "probes/canary/canary_timeline.h"
#include "probes/canary/debezium_event.h"
#include "probes/kafkaconn/kafka_cluster_config.h"
#include "probes/kafkaconn/kafka_handle.h"

namespace cdcwatch {

class KafkaObserverProbe final : public Probe {
 public:
  KafkaObserverProbe(const CanaryConfig& canary, const KafkaClusterConfig& kafka,
                     std::shared_ptr<CanaryTimeline> timeline);
  std::string name() const override { return "canary/" + canary_.name + "/kafka"; }
  Millis interval() const override { return std::min(canary_.interval, Millis(5000)); }
  Millis timeout() const override { return std::max(interval(), kafka_.request_timeout * 2); }
  CollectOutcome collect(const CollectContext& ctx) override;
  nlohmann::json save_state() const override;
  void restore_state(const nlohmann::json& state) override;

 private:
  struct Seen {
    CanaryEvent event;
    double record_time = 0;  // the record's Kafka timestamp, unix seconds
  };
  std::string identity() const { return canary_.agent_id + " on topic " + canary_.topic; }
  std::optional<std::string> assign(int timeout_ms);
  // Reads the events since the last cycle; returns why the topic could not be read, or "".
  std::string read_events(const CollectContext& ctx);
  // `budget`: for a Schema Registry look-up, when the event needs one.
  void take(const rd_kafka_message_t& message, double skew, Millis budget);

  CanaryConfig canary_;
  KafkaClusterConfig kafka_;
  std::shared_ptr<CanaryTimeline> timeline_;
  KafkaHandle consumer_;
  CanaryEventDecoder decoder_;
  bool assigned_ = false;
  std::optional<TimePoint> started_;
  std::optional<Seen> newest_;
  HistogramValue latency_;
  std::optional<double> db_to_capture_;
  std::optional<double> capture_to_kafka_;
  uint64_t events_ = 0;
  uint64_t bad_events_ = 0;
  uint64_t sequence_restarts_ = 0;
  std::map<std::string, uint64_t> skipped_;  // by kind: tombstone, delete, truncate, ...
  std::string last_bad_event_;
};

}  // namespace cdcwatch
