// A local stand-in for PagerDuty's Events API v2 for the demo: accepts POST /v2/enqueue as
// PagerDuty does (202 {"status":"success","message":"Event processed","dedup_key":...}; 400 with
// {"status":"invalid event","errors":[...]} for a malformed event) and prints each page as the
// person holding the pager would read it.
// Wire format: https://developer.pagerduty.com/docs/events-api-v2/trigger-events/
// Usage: demo-pagerduty --port-file FILE   (runs until SIGINT/SIGTERM)
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/http_test_server.h"

namespace {

using cdcwatch::testing::RecordedRequest;
using cdcwatch::testing::TestReply;

std::vector<std::string> problems_of(const nlohmann::json& event) {
  std::vector<std::string> problems;
  if (!event.contains("routing_key") || !event["routing_key"].is_string() ||
      event["routing_key"].get<std::string>().size() != 32) {
    problems.push_back("'routing_key' must be a 32-character integration key");
  }
  std::string action = event.value("event_action", "");
  if (action != "trigger" && action != "acknowledge" && action != "resolve") {
    problems.push_back("'event_action' must be trigger, acknowledge or resolve");
  }
  if (action != "trigger" && !event.contains("dedup_key")) {
    problems.push_back("'dedup_key' is required for " + action);
  }
  if (action == "trigger") {
    const auto& payload = event.value("payload", nlohmann::json::object());
    for (const char* field : {"summary", "source", "severity"}) {
      if (!payload.contains(field)) problems.push_back(std::string("'payload.") + field + "' is missing");
    }
  }
  return problems;
}

std::string clock_now() {
  std::time_t now = std::time(nullptr);
  char buffer[16];
  std::strftime(buffer, sizeof buffer, "%H:%M:%S", std::localtime(&now));
  return buffer;
}

TestReply handle(const RecordedRequest& request) {
  nlohmann::json event = nlohmann::json::parse(request.body, nullptr, false);
  if (event.is_discarded() || !event.is_object()) {
    return {400, R"({"status":"invalid event","message":"Event object is invalid","errors":["body is not a JSON object"]})"};
  }
  auto problems = problems_of(event);
  if (!problems.empty()) {
    return {400, nlohmann::json{{"status", "invalid event"},
                                {"message", "Event object is invalid"},
                                {"errors", problems}}.dump()};
  }
  std::string action = event["event_action"];
  std::string dedup = event.value("dedup_key", "generated-" + std::to_string(std::time(nullptr)));
  if (action == "trigger") {
    const auto& payload = event["payload"];
    std::printf("\n[%s] PAGE  %-8s %s\n", clock_now().c_str(),
                payload.value("severity", "").c_str(), payload.value("summary", "").c_str());
    std::printf("        stage: %s   alert: %s   dedup_key: %s\n",
                payload.value("component", "?").c_str(), payload.value("class", "?").c_str(),
                dedup.c_str());
    for (const auto& link : event.value("links", nlohmann::json::array())) {
      std::printf("        %s: %s\n", link.value("text", "link").c_str(), link.value("href", "").c_str());
    }
  } else {
    std::printf("\n[%s] %s  dedup_key: %s\n", clock_now().c_str(),
                action == "resolve" ? "RESOLVED" : "ACKED", dedup.c_str());
  }
  std::fflush(stdout);
  return {202, nlohmann::json{{"status", "success"}, {"message", "Event processed"},
                              {"dedup_key", dedup}}.dump()};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 || std::string(argv[1]) != "--port-file") {
    std::fprintf(stderr, "usage: demo-pagerduty --port-file FILE\n");
    return 2;
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  cdcwatch::testing::HttpTestServer server;
  server.on("POST", "/v2/enqueue", handle);
  server.start();
  std::ofstream(argv[2]) << server.port() << "\n";
  int received = 0;
  sigwait(&signals, &received);
  server.stop();
  return 0;
}
