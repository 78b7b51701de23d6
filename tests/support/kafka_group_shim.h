// A Kafka-protocol proxy in front of each broker of librdkafka's mock cluster that adds what
// Debian's librdkafka 2.0.2 mock broker lacks: ListGroups (api key 16) and DescribeGroups (15). It
// stands in for a real broker's group list, so that consumer-group discovery is tested over the
// real protocol through a real librdkafka client.
//
// Every other request is forwarded to the mock broker behind the listener, and the answers that
// name brokers (Metadata, FindCoordinator) are rewritten to the shim's listeners so clients stay
// behind it. ApiVersions gains ListGroups v0-2 and DescribeGroups v0-4 (their non-flexible
// versions; kafka_shim_messages.h). The groups it answers for are those it has seen (an
// OffsetCommit or a JoinGroup passing through; the listener that received it is the group's
// coordinator, which alone lists it, as each Kafka broker lists the groups it coordinates) plus
// the groups a test registers (one that exists but never committed, a member's assignment, a
// Connect worker group). FindCoordinator alone creates no group, as in Kafka: cdcwatch's own
// OffsetFetch looks coordinators up for every watched name.
//
// Listens on 127.0.0.1, port 0. Thread-safe; one thread per listener and per connection. Requests
// on a connection are answered in order (Kafka's rule), so Produce with acks=0 is forwarded
// without waiting for an answer that never comes.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/kafka_shim_messages.h"

namespace cdcwatch::testing {

class KafkaGroupShim {
 public:
  // One listener in front of each broker of `upstream_bootstrap` ("host:port,...").
  explicit KafkaGroupShim(const std::string& upstream_bootstrap);
  ~KafkaGroupShim();
  KafkaGroupShim(const KafkaGroupShim&) = delete;
  KafkaGroupShim& operator=(const KafkaGroupShim&) = delete;

  // The shim's listeners, for clients.
  const std::string& bootstrap() const { return bootstrap_; }

  // A group that exists whether or not it committed, coordinated by the first broker; with an
  // assignment (topic -> partitions) it has one member holding it.
  void register_group(const std::string& group, const std::string& protocol_type = "consumer",
                      std::map<std::string, std::vector<int32_t>> assignment = {});
  std::set<std::string> groups() const;

  // Down: open connections are closed and new ones closed on accept, like a dead broker.
  void set_down(bool down);
  // ListGroups and DescribeGroups are answered this much later, like a slow coordinator.
  void set_group_answer_delay(std::chrono::milliseconds delay);

 private:
  struct Listener {
    int fd = -1;
    std::string upstream_host;
    int32_t upstream_port = 0;
    int32_t port = 0;
    std::thread thread;
  };
  struct Group {
    kafka_shim::ShimGroup answer;
    size_t coordinator = 0;  // listener index
  };

  void accept_loop(size_t listener);
  void serve(size_t listener, int client);
  // Answers or forwards one request; false when the connection is to close.
  bool relay_one(size_t listener, int client, int upstream);
  std::string answer_group_request(size_t listener, const std::string& request,
                                   const kafka_shim::RequestHeader& header);
  std::string forward(int upstream, const std::string& request,
                      const kafka_shim::RequestHeader& header, bool& answered);
  void note_group(size_t listener, const std::string& request,
                  const kafka_shim::RequestHeader& header);
  void track(int fd, bool open);

  std::vector<Listener> listeners_;
  kafka_shim::PortMap ports_;  // upstream port -> shim port
  std::string bootstrap_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::map<std::string, Group> groups_;
  std::set<int> open_fds_;
  std::vector<std::thread> connections_;
  std::chrono::milliseconds delay_{0};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> down_{false};
};

}  // namespace cdcwatch::testing
