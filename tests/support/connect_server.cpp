#include "tests/support/connect_server.h"

#include <openssl/evp.h>

#include <thread>

namespace cdcwatch::testing {
namespace {

using Json = nlohmann::json;

TestReply error_reply(int status, const std::string& message) {
  return {status,
          Json{{"error_code", status}, {"message", message}}.dump(),
          "application/json",
          {},
          {}};
}

TestReply json_reply(const Json& body) { return {200, body.dump(), "application/json", {}, {}}; }

}  // namespace

ConnectServer::ConnectServer() {
  server_.on("GET", "/connectors", [this](const RecordedRequest& r) {
    return answer(r, [this, &r] {
      std::lock_guard lock(mutex_);
      bool expand = r.query.count("expand") > 0 && !old_worker_;
      if (!expand) {
        Json names = Json::array();
        for (const auto& [name, c] : connectors_) names.push_back(name);
        return json_reply(names);
      }
      Json out = Json::object();
      bool with_info = false, with_status = false;
      for (auto [it, end] = r.query.equal_range("expand"); it != end; ++it) {
        with_info |= it->second == "info";
        with_status |= it->second == "status";
      }
      for (const auto& [name, c] : connectors_) {
        out[name] = Json::object();
        if (with_status) out[name]["status"] = status_of(name, c);
        if (with_info) out[name]["info"] = info_of(name, c);
      }
      return json_reply(out);
    });
  });
  server_.on("GET", "/connectors/([^/]+)/status", [this](const RecordedRequest& r) {
    return answer(r, [this, &r] {
      std::string name = r.path.substr(12, r.path.size() - 12 - 7);
      std::lock_guard lock(mutex_);
      auto it = connectors_.find(name);
      if (it == connectors_.end()) return error_reply(404, "No status found for connector " + name);
      return json_reply(status_of(name, it->second));
    });
  });
  server_.on("GET", "/connectors/([^/]+)", [this](const RecordedRequest& r) {
    return answer(r, [this, &r] {
      std::string name = r.path.substr(12);
      std::lock_guard lock(mutex_);
      auto it = connectors_.find(name);
      if (it == connectors_.end()) return error_reply(404, "Connector " + name + " not found");
      return json_reply(info_of(name, it->second));
    });
  });
  server_.on("GET", "/connectors/([^/]+)/offsets", [this](const RecordedRequest& r) {
    return answer(r, [this, &r] {
      std::string name = r.path.substr(12, r.path.size() - 12 - 8);
      std::lock_guard lock(mutex_);
      if (!offsets_api_) return error_reply(404, "HTTP 404 Not Found");
      auto it = connectors_.find(name);
      if (it == connectors_.end()) return error_reply(404, "Connector " + name + " not found");
      return json_reply(Json{{"offsets", it->second.offsets}});
    });
  });
}

ConnectServer::~ConnectServer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stopping_cv_.notify_all();
  server_.stop();
}

TestReply ConnectServer::answer(const RecordedRequest& request,
                                const std::function<TestReply()>& body) {
  Scripted next;
  std::string expected_auth;
  {
    std::lock_guard lock(mutex_);
    if (!scripted_.empty()) {
      next = scripted_.front();
      scripted_.pop_front();
    }
    expected_auth = auth_;
  }
  if (next.delay.count() > 0) {
    std::unique_lock lock(mutex_);
    if (stopping_cv_.wait_for(lock, next.delay, [&] { return stopping_; }))
      return error_reply(503, "stopping");
  }
  if (!expected_auth.empty() && request.header("authorization") != expected_auth) {
    return error_reply(401, "Unauthorized");
  }
  if (next.status == 409) {
    return error_reply(409,
                       "Cannot complete request momentarily due to stale configuration (typically "
                       "caused by a concurrent config change)");
  }
  if (next.status == 500) return error_reply(500, "Request timed out");
  if (next.huge_body_bytes > 0)
    return {200, "[" + std::string(next.huge_body_bytes, ' ') + "]", "application/json", {}, {}};
  if (next.malformed)
    return {
        200, "{\"orders-postgres-source\": {\"status\": {\"name\": ", "application/json", {}, {}};
  return body();
}

Json ConnectServer::status_of(const std::string& name, const Connector& c) const {
  Json tasks = Json::array();
  for (size_t i = 0; i < c.task_states.size(); ++i) {
    Json task = {{"id", i}, {"state", c.task_states[i]}, {"worker_id", "10.0.0.7:8083"}};
    if (c.task_states[i] == "FAILED") task["trace"] = c.failed_trace;
    tasks.push_back(task);
  }
  return {{"name", name},
          {"connector", {{"state", c.state}, {"worker_id", "10.0.0.7:8083"}}},
          {"tasks", tasks},
          {"type", c.type}};
}

Json ConnectServer::info_of(const std::string& name, const Connector& c) const {
  Json tasks = Json::array();
  for (size_t i = 0; i < c.task_states.size(); ++i)
    tasks.push_back({{"connector", name}, {"task", i}});
  Json config = c.config;
  config["name"] = name;
  return {{"name", name}, {"config", config}, {"tasks", tasks}, {"type", c.type}};
}

void ConnectServer::put(const std::string& name, Connector connector) {
  std::lock_guard lock(mutex_);
  connectors_[name] = std::move(connector);
}
void ConnectServer::remove(const std::string& name) {
  std::lock_guard lock(mutex_);
  connectors_.erase(name);
}
void ConnectServer::set_offsets(const std::string& name, nlohmann::json offsets) {
  std::lock_guard lock(mutex_);
  connectors_.at(name).offsets = std::move(offsets);
}
void ConnectServer::set_task_states(const std::string& name, std::vector<std::string> states) {
  std::lock_guard lock(mutex_);
  connectors_.at(name).task_states = std::move(states);
}
void ConnectServer::require_basic_auth(std::string user, std::string password) {
  std::string plain = user + ":" + password;
  std::string encoded(4 * ((plain.size() + 2) / 3), '\0');
  EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                  reinterpret_cast<const unsigned char*>(plain.data()),
                  static_cast<int>(plain.size()));
  std::lock_guard lock(mutex_);
  auth_ = "Basic " + encoded;
}
void ConnectServer::script(Scripted next) {
  std::lock_guard lock(mutex_);
  scripted_.push_back(next);
}

}  // namespace cdcwatch::testing
