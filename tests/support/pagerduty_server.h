// A local PagerDuty Events API v2 for tests and the demo. POST /v2/enqueue is checked against the
// documented schema and answered as PagerDuty does: 202 {"status":"success","message":"Event
// processed","dedup_key":...}; 400 {"status":"invalid event","message":"Event object is invalid",
// "errors":[...]}; 429 when rate limited. Tests can script the next answers (429, 500, a delay).
// Incidents are tracked like PagerDuty does: a trigger with an open dedup_key joins that incident
// (and its severity becomes the alert's: "when an alert's severity changes", per
// https://support.pagerduty.com/docs/dynamic-notifications); a trigger whose dedup_key was resolved
// opens a new one; a resolve of no open incident is dropped.
// https://developer.pagerduty.com/docs/events-api-v2/trigger-events/
// https://developer.pagerduty.com/docs/events-api-v2/resolve-events/
// https://developer.pagerduty.com/docs/events-api-v2/overview/#api-response-codes--retry-logic
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/http_test_server.h"

namespace cdcwatch::testing {

// Problems with one event, as PagerDuty's `errors` list would name them; empty when valid.
std::vector<std::string> pagerduty_event_problems(const nlohmann::json& event);

class PagerDutyServer {
 public:
  struct Incident {
    std::string dedup_key;
    bool open = true;
    int triggers = 0;
    std::string severity;              // of the latest trigger
    std::vector<std::string> classes;  // payload.class of each trigger, in order
  };

  PagerDutyServer();
  void start() { server_.start(); }
  void stop() { server_.stop(); }
  std::string url() const { return server_.url() + "/v2/enqueue"; }
  int port() const { return server_.port(); }

  // The next `count` valid events get `status` (429, 500, ...) instead of 202.
  void fail_next(int status, int count);
  void clear_scripted();
  void set_delay(std::chrono::milliseconds delay);
  // Called for every accepted event (the demo prints them).
  void on_accepted(std::function<void(const nlohmann::json&)> listener);

  std::vector<nlohmann::json> accepted() const;  // events answered 202, in order
  // Whether an accepted event triggered (`trigger`) or resolved (`resolve`) the alert `alert`
  // (a resolve counts for every alert that was paged under its dedup_key).
  bool has_event(const std::string& alert, const std::string& action) const;
  int rejected_count() const;  // events answered 400
  int answered_count(int status) const;
  std::vector<Incident> incidents() const;

 private:
  TestReply handle(const RecordedRequest& request);

  HttpTestServer server_;
  mutable std::mutex mutex_;
  std::deque<int> scripted_;
  std::chrono::milliseconds delay_{0};
  std::vector<nlohmann::json> accepted_;
  std::map<int, int> answered_;
  std::vector<Incident> incidents_;
  std::function<void(const nlohmann::json&)> listener_;
};

}  // namespace cdcwatch::testing
