// A small but real CDC pipeline on one machine, for the demo and the end-to-end drills:
//   PostgreSQL 15 (database `shop` with orders, customers, line_items, products and the canary
//   table; database `analytics` as the warehouse) -> capture (reads the logical slot `debezium`
//   with PostgreSQL's test_decoding plugin and produces Debezium-shaped JSON change events to
//   shop.public.<table>, committing its offsets to connect-offsets as Debezium does) ->
//   librdkafka's mock cluster (3 brokers) -> sink (group connect-warehouse-sink, MERGEs into
//   `analytics`, commits its offsets) -> a Kafka Connect REST API for both connectors (status and
//   offsets).
// A workload thread writes orders at a configurable rate. Faults from the case study can be
// switched on and off while it runs. With `avro`, capture writes the change events in Confluent's
// Avro wire format as the AvroConverter does, registering each table's schema with a local Schema
// Registry (avro_change_events.h), and the sink reads them so. This is test support, not product.
#pragma once

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/avro_change_events.h"
#include "tests/support/connect_server.h"
#include "tests/support/kafka_mock_cluster.h"
#include "tests/support/postgres_server.h"
#include "tests/support/schema_registry_server.h"

namespace cdcwatch::testing {

enum class Fault {
  kSinkStalled,     // Challenge 4: the sink says RUNNING but loads and commits nothing
  kCaptureStopped,  // Challenge 2: nothing reads the slot, which retains WAL
  kSinkTaskFailed,  // the sink's task FAILED with a trace
  kBrokersDown,     // every Kafka broker down
  kWarehouseSlow,   // each sink batch takes 15 s
  // snowflake-kafka-connector #96: the sink commits its group offsets to Kafka but its rows never
  // become visible (its channels' offset tokens stay where they were)
  kSinkCommitsInvisible,
};

// One Snowpipe Streaming channel of the simulated sink: the last offset it made visible in the
// warehouse, as the Snowflake connector keeps it in the channel's offset token.
struct SinkChannel {
  std::string topic;
  int32_t partition = 0;
  int64_t offset_token = 0;
};

// When one canary row (as cdcwatch writes it) reached each stage, by the simulator's own clock.
struct CanaryArrival {
  std::string agent_id;
  int64_t seq = 0;
  double written_at = 0;         // unix seconds, from the row
  double reached_kafka = 0;      // the record's timestamp (when capture produced it)
  double reached_warehouse = 0;  // when the sink's MERGE of it returned; 0 until then
};

class PipelineSimulator {
 public:
  struct Options {
    double orders_per_second = 5;
    int partitions = 3;
    bool avro = false;  // change events in Avro with a Schema Registry instead of JSON
    // snowflake-kafka-connector #921/#798: commit the last loaded offset (the channel's token)
    // to Kafka instead of the next one, so the group stays one record behind on an idle topic.
    bool sink_commits_token = false;
  };
  explicit PipelineSimulator(Options options);
  ~PipelineSimulator();
  PipelineSimulator(const PipelineSimulator&) = delete;
  PipelineSimulator& operator=(const PipelineSimulator&) = delete;

  void set_fault(Fault fault, bool on);
  bool fault_on(Fault fault) const;
  void restart_postgres();

  PostgresServer& postgres() { return pg_; }
  std::string source_dsn() const { return pg_.dsn("shop"); }
  std::string warehouse_dsn() const { return pg_.dsn("analytics"); }
  std::string bootstrap() const { return kafka_.bootstrap(); }
  std::string connect_url() const { return connect_.url(); }
  // With `avro`: the local registry, and the ids registered for the canary table's events.
  std::string schema_registry_url() const { return registry_ ? registry_->url() : ""; }
  std::vector<uint32_t> canary_schema_ids() const;
  // Schema evolution: a column added to the canary table (warehouse first, then source), so its
  // change events get a new schema (in Avro mode, a second schema id on the topic).
  void add_canary_column();
  int64_t events_captured() const { return captured_; }
  int64_t events_loaded() const { return loaded_; }
  std::vector<CanaryArrival> canary_arrivals() const;
  // The sink's channels with an offset token (a partition it has loaded nothing from has none).
  std::vector<SinkChannel> sink_channels() const;
  static constexpr const char* kSinkConnector = "warehouse-sink";

 private:
  void capture_loop();
  void sink_loop();
  void workload_loop();
  void update_statuses();

  Options options_;
  PostgresServer pg_;
  KafkaMockCluster kafka_{3};
  ConnectServer connect_;
  std::unique_ptr<SchemaRegistryServer> registry_;  // with `avro` only
  std::unique_ptr<AvroChangeEvents> avro_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> sink_stalled_{false}, capture_stopped_{false}, sink_failed_{false},
      brokers_down_{false}, warehouse_slow_{false}, postgres_restarting_{false},
      sink_commits_invisible_{false};
  void commit_sink_offsets(rd_kafka_t* consumer);
  mutable std::mutex channels_mutex_;
  std::map<std::pair<std::string, int32_t>, int64_t> channel_tokens_;
  std::atomic<int64_t> captured_{0}, loaded_{0};
  mutable std::mutex arrivals_mutex_;
  std::map<std::pair<std::string, int64_t>, CanaryArrival> arrivals_;
  std::thread capture_, sink_, workload_;
};

}  // namespace cdcwatch::testing
