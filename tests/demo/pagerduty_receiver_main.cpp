// A local stand-in for PagerDuty's Events API v2 for the demo: accepts events exactly as
// tests/support/pagerduty_server.h does and prints each page as the person holding the pager
// would read it.
// Usage: demo-pagerduty --port-file FILE   (runs until SIGINT/SIGTERM)
#include <signal.h>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <string>

#include "tests/support/pagerduty_server.h"

namespace {

std::string clock_now() {
  std::time_t now = std::time(nullptr);
  char buffer[16];
  std::strftime(buffer, sizeof buffer, "%H:%M:%S", std::localtime(&now));
  return buffer;
}

void print_page(const nlohmann::json& event) {
  std::string action = event.value("event_action", "");
  std::string dedup = event.value("dedup_key", "");
  if (action == "trigger") {
    const auto& payload = event["payload"];
    std::printf("\n[%s] PAGE  %-8s %s\n", clock_now().c_str(),
                payload.value("severity", "").c_str(), payload.value("summary", "").c_str());
    std::printf("        stage: %s   alert: %s   dedup_key: %s\n",
                payload.value("component", "?").c_str(), payload.value("class", "?").c_str(),
                dedup.c_str());
    for (const auto& link : event.value("links", nlohmann::json::array())) {
      std::printf("        %s: %s\n", link.value("text", "link").c_str(),
                  link.value("href", "").c_str());
    }
  } else {
    std::printf("\n[%s] %s  dedup_key: %s\n", clock_now().c_str(),
                action == "resolve" ? "RESOLVED" : "ACKED", dedup.c_str());
  }
  std::fflush(stdout);
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
  cdcwatch::testing::PagerDutyServer server;
  server.on_accepted(print_page);
  server.start();
  std::ofstream(argv[2]) << server.port() << "\n";
  int received = 0;
  sigwait(&signals, &received);
  server.stop();
  return 0;
}
