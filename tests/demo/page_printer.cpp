#include "tests/demo/page_printer.h"

#include <cstdio>
#include <ctime>
#include <string>

namespace cdcwatch::demo {
namespace {

std::string clock_now() {
  std::time_t now = std::time(nullptr);
  char buffer[16];
  std::strftime(buffer, sizeof buffer, "%H:%M:%S", std::localtime(&now));
  return buffer;
}

}  // namespace

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

}  // namespace cdcwatch::demo
