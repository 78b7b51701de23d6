// A real-protocol Kafka for tests: librdkafka's built-in mock cluster on loopback, with helpers to
// produce records (explicit partition and timestamp) and commit consumer-group offsets.
// Known limit of Debian's librdkafka 2.0.2: no ListGroups/DescribeGroups (kafka_group_shim.h adds
// them).
// Not thread-safe; use from the test thread.
#pragma once

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace cdcwatch::testing {

class KafkaMockCluster {
 public:
  explicit KafkaMockCluster(int brokers = 1);
  ~KafkaMockCluster();
  KafkaMockCluster(const KafkaMockCluster&) = delete;
  KafkaMockCluster& operator=(const KafkaMockCluster&) = delete;

  const std::string& bootstrap() const { return bootstrap_; }
  rd_kafka_mock_cluster_t* raw() { return cluster_; }

  void create_topic(const std::string& topic, int partitions, int replication_factor = 1);
  // Produces one record (with `headers`, name and value) and waits for its delivery;
  // timestamp_ms 0 means "now". Returns the record's offset; throws std::runtime_error on failure.
  int64_t produce(const std::string& topic, int partition, const std::string& key,
                  const std::string& value, int64_t timestamp_ms = 0,
                  const std::vector<std::pair<std::string, std::string>>& headers = {});
  // Commits `next_offset` (the offset of the next record to consume, as Kafka stores it) for the
  // group on one partition; throws on failure.
  void commit(const std::string& group, const std::string& topic, int partition,
              int64_t next_offset);
  // Bulk set-up for large topics: `records` records on every partition (one flush), and one commit
  // request for all of a group's partitions of a topic.
  void produce_to_every_partition(const std::string& topic, int partitions, int records,
                                  int64_t timestamp_ms = 0);
  void commit_every_partition(const std::string& group, const std::string& topic, int partitions,
                              int64_t next_offset);
  void set_broker_down(int broker_id, bool down);
  // commit() through other listeners than the mock's own (a proxy such as kafka_group_shim.h).
  static void commit_through(const std::string& bootstrap, const std::string& group,
                             const std::string& topic, int partition, int64_t next_offset);

 private:
  rd_kafka_t* handle_ = nullptr;  // owns the mock cluster
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
  rd_kafka_t* producer_ = nullptr;
  std::string bootstrap_;
  // Where each produce() learns its record's offset. A record produce() gave up on (brokers
  // down) is reported later, so its slot must outlive the call: slots live as long as the cluster.
  std::mutex delivery_slots_mutex_;
  std::deque<std::atomic<int64_t>> delivery_slots_;
};

}  // namespace cdcwatch::testing
