// A local Kafka Connect worker REST API for tests, answering as the Apache Kafka docs describe:
//   GET /connectors?expand=status&expand=info  {"<name>": {"status": {...}, "info": {...}}}
//   GET /connectors                            ["<name>", ...] (also what pre-2.3 workers answer
//                                               to expand, which `old_worker` plays)
//   GET /connectors/<name>/status, GET /connectors/<name>, GET /connectors/<name>/offsets (KIP-875,
//   404 when `offsets_api` is off, as on workers before 3.5)
// Errors use Connect's {"error_code": N, "message": "..."}; tests can script 409 (rebalance), 500,
// a delay, or malformed JSON for the next requests.
// https://kafka.apache.org/documentation/#connect_rest
// https://docs.confluent.io/platform/current/connect/references/restapi.html
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/http_test_server.h"

namespace cdcwatch::testing {

class ConnectServer {
 public:
  struct Connector {
    std::string type = "source";  // source or sink
    std::string state = "RUNNING";
    std::vector<std::string> task_states = {"RUNNING"};
    std::string failed_trace =
        "org.apache.kafka.connect.errors.ConnectException: boom\n\tat X.y(X.java:1)";
    nlohmann::json config = nlohmann::json::object();
    nlohmann::json offsets = nlohmann::json::array();  // KIP-875 entries
  };
  struct Scripted {
    int status = 200;  // 409, 500, or 200 with `malformed`
    bool malformed = false;
    size_t huge_body_bytes = 0;  // answer 200 with this many bytes of JSON-looking garbage
    std::chrono::milliseconds delay{0};
  };

  ConnectServer();
  // Wakes handlers sleeping on a scripted delay and stops the server before the state goes.
  ~ConnectServer();
  void start() { server_.start(); }
  std::string url() const { return server_.url(); }

  void put(const std::string& name, Connector connector);
  void remove(const std::string& name);
  void set_offsets(const std::string& name, nlohmann::json offsets);
  void set_task_states(const std::string& name, std::vector<std::string> states);
  void set_old_worker(bool old) { old_worker_ = old; }
  void set_offsets_api(bool on) { offsets_api_ = on; }
  void require_basic_auth(std::string user, std::string password);
  void script(Scripted next);
  size_t request_count(const std::string& path) const { return server_.request_count("GET", path); }

 private:
  TestReply answer(const RecordedRequest& request, const std::function<TestReply()>& body);
  nlohmann::json status_of(const std::string& name, const Connector& connector) const;
  nlohmann::json info_of(const std::string& name, const Connector& connector) const;

  HttpTestServer server_;
  mutable std::mutex mutex_;
  std::map<std::string, Connector> connectors_;
  std::deque<Scripted> scripted_;
  bool old_worker_ = false;
  bool offsets_api_ = true;
  std::string auth_;  // expected Authorization header, empty when open
  std::condition_variable stopping_cv_;
  bool stopping_ = false;
};

}  // namespace cdcwatch::testing
