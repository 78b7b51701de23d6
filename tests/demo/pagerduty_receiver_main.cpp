// A local stand-in for PagerDuty's Events API v2 beside a cdcwatch you run yourself: accepts
// events exactly as tests/support/pagerduty_server.h does and narrates each page once
// (tests/demo/page_narrator.h).
// Usage: demo-pagerduty --port-file FILE   (runs until SIGINT/SIGTERM)
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "tests/demo/console.h"
#include "tests/demo/page_narrator.h"
#include "tests/support/pagerduty_server.h"

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
  cdcwatch::demo::Console console;
  cdcwatch::demo::PageNarrator narrator(console);
  cdcwatch::testing::PagerDutyServer server;
  server.on_accepted([&narrator](const nlohmann::json& event) { narrator.on_event(event); });
  server.start();
  std::ofstream(argv[2]) << server.port() << "\n";
  int received = 0;
  sigwait(&signals, &received);
  server.stop();
  return 0;
}
