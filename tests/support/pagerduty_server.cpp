#include "tests/support/pagerduty_server.h"

#include <algorithm>
#include <set>
#include <thread>

namespace cdcwatch::testing {
namespace {

const char* kSeverities[] = {"critical", "error", "warning", "info"};

}  // namespace

std::vector<std::string> pagerduty_event_problems(const nlohmann::json& event) {
  std::vector<std::string> problems;
  if (!event.is_object()) return {"Event object is invalid: not a JSON object"};
  if (!event.contains("routing_key") || !event["routing_key"].is_string() ||
      event["routing_key"].get<std::string>().size() != 32) {
    problems.push_back("Length of 'routing_key' is incorrect (should be 32 characters)");
  }
  std::string action = event.value("event_action", "");
  if (action != "trigger" && action != "acknowledge" && action != "resolve") {
    problems.push_back("'event_action' is invalid (must be one of: trigger, acknowledge, resolve)");
  }
  if (event.contains("dedup_key") &&
      (!event["dedup_key"].is_string() || event["dedup_key"].get<std::string>().size() > 255)) {
    problems.push_back("'dedup_key' must be a string of at most 255 characters");
  }
  if (action != "trigger" && !event.contains("dedup_key")) {
    problems.push_back("'dedup_key' is missing and is required for " + action);
  }
  if (action == "trigger") {
    const nlohmann::json payload = event.value("payload", nlohmann::json());
    if (!payload.is_object()) {
      problems.push_back("'payload' is missing or not an object");
    } else {
      for (const char* field : {"summary", "source", "severity"}) {
        if (!payload.contains(field) || !payload[field].is_string() ||
            payload[field].get<std::string>().empty()) {
          problems.push_back(std::string("'payload.") + field + "' is missing or blank");
        }
      }
      if (payload.contains("summary") && payload["summary"].is_string() &&
          payload["summary"].get<std::string>().size() > 1024) {
        problems.push_back("'payload.summary' is longer than 1024 characters");
      }
      std::string severity = payload.value("severity", "");
      if (std::find(std::begin(kSeverities), std::end(kSeverities), severity) ==
          std::end(kSeverities)) {
        problems.push_back("'payload.severity' must be one of critical, error, warning, info");
      }
      if (payload.contains("custom_details") && !payload["custom_details"].is_object()) {
        problems.push_back("'payload.custom_details' must be an object");
      }
    }
    if (event.contains("links")) {
      for (const auto& link : event["links"]) {
        if (!link.is_object() || !link.contains("href"))
          problems.push_back("'links[].href' is missing");
      }
    }
  }
  return problems;
}

PagerDutyServer::PagerDutyServer() {
  server_.on("POST", "/v2/enqueue", [this](const RecordedRequest& r) { return handle(r); });
}

void PagerDutyServer::fail_next(int status, int count) {
  std::lock_guard lock(mutex_);
  for (int i = 0; i < count; ++i) scripted_.push_back(status);
}

void PagerDutyServer::clear_scripted() {
  std::lock_guard lock(mutex_);
  scripted_.clear();
}

void PagerDutyServer::set_delay(std::chrono::milliseconds delay) {
  std::lock_guard lock(mutex_);
  delay_ = delay;
}

void PagerDutyServer::on_accepted(std::function<void(const nlohmann::json&)> listener) {
  std::lock_guard lock(mutex_);
  listener_ = std::move(listener);
}

TestReply PagerDutyServer::handle(const RecordedRequest& request) {
  nlohmann::json event = nlohmann::json::parse(request.body, nullptr, false);
  auto problems = event.is_discarded() ? std::vector<std::string>{"body is not JSON"}
                                       : pagerduty_event_problems(event);
  std::function<void(const nlohmann::json&)> listener;
  TestReply reply;
  {
    std::lock_guard lock(mutex_);
    reply.delay = delay_;
    if (!problems.empty()) {
      ++answered_[400];
      return {400, nlohmann::json{{"status", "invalid event"},
                                  {"message", "Event object is invalid"},
                                  {"errors", problems}}
                       .dump()};
    }
    if (!scripted_.empty()) {
      int status = scripted_.front();
      scripted_.pop_front();
      ++answered_[status];
      reply.status = status;
      reply.body =
          status == 429
              ? R"({"status":"throttle event","message":"Requests for this service are arriving too quickly. Please retry later."})"
              : R"({"status":"error","message":"Internal Server Error"})";
      return reply;
    }
    std::string action = event["event_action"];
    std::string dedup =
        event.value("dedup_key", "pd-generated-" + std::to_string(accepted_.size()));
    auto open = std::find_if(incidents_.begin(), incidents_.end(),
                             [&](const Incident& i) { return i.open && i.dedup_key == dedup; });
    if (action == "trigger") {
      if (open == incidents_.end()) {
        incidents_.push_back({dedup, true, 0});
        open = std::prev(incidents_.end());
      }
      ++open->triggers;
      open->severity = event["payload"].value("severity", "");
      open->classes.push_back(event["payload"].value("class", ""));
    } else if (action == "resolve" && open != incidents_.end()) {
      open->open = false;
    }
    accepted_.push_back(event);
    ++answered_[202];
    listener = listener_;
    reply.status = 202;
    reply.body =
        nlohmann::json{{"status", "success"}, {"message", "Event processed"}, {"dedup_key", dedup}}
            .dump();
  }
  if (listener) listener(event);
  return reply;
}

std::vector<nlohmann::json> PagerDutyServer::accepted() const {
  std::lock_guard lock(mutex_);
  return accepted_;
}

int PagerDutyServer::rejected_count() const { return answered_count(400); }

int PagerDutyServer::answered_count(int status) const {
  std::lock_guard lock(mutex_);
  auto it = answered_.find(status);
  return it == answered_.end() ? 0 : it->second;
}

std::vector<PagerDutyServer::Incident> PagerDutyServer::incidents() const {
  std::lock_guard lock(mutex_);
  return incidents_;
}

bool PagerDutyServer::has_event(const std::string& alert, const std::string& action) const {
  std::set<std::string> keys_of_alert;  // dedup_keys a trigger of `alert` was sent under
  for (const auto& event : accepted()) {
    std::string key = event.value("dedup_key", "");
    if (event.value("event_action", "") == "trigger") {
      if (event["payload"].value("class", "") != alert) continue;
      if (action == "trigger") return true;
      keys_of_alert.insert(key);
    } else if (event.value("event_action", "") == action && keys_of_alert.contains(key)) {
      return true;
    }
  }
  return false;
}

}  // namespace cdcwatch::testing
