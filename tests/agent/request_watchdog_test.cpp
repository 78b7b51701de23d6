// The request watchdog's verdict: a request that ends after its deadline is a timeout however late
// the watchdog's own thread wakes (on a loaded machine cpp-httplib's per-read timeout can return
// first, and the failure was then counted as reason="connect").
#include "agent/http/request_watchdog.h"

#include <gtest/gtest.h>

#include <thread>

namespace cdcwatch {
namespace {

using namespace std::chrono_literals;

TEST(RequestWatchdog, APassedDeadlineIsTheVerdictBeforeTheThreadWakes) {
  for (int attempt = 0; attempt < 200; ++attempt) {
    RequestWatchdog watchdog(std::chrono::steady_clock::now() - 1ms, nullptr);
    ASSERT_EQ(watchdog.verdict(), RequestWatchdog::Verdict::kDeadline) << "attempt " << attempt;
  }
}

TEST(RequestWatchdog, BeforeTheDeadlineTheRequestIsInTime) {
  RequestWatchdog watchdog(std::chrono::steady_clock::now() + 1h, nullptr);
  EXPECT_EQ(watchdog.verdict(), RequestWatchdog::Verdict::kInTime);
}

TEST(RequestWatchdog, ACancelledRequestStaysCancelledPastItsDeadline) {
  HttpCanceller canceller;
  RequestWatchdog watchdog(std::chrono::steady_clock::now() + 30ms, &canceller);
  canceller.cancel();
  std::this_thread::sleep_for(60ms);
  EXPECT_EQ(watchdog.verdict(), RequestWatchdog::Verdict::kCancelled);
}

}  // namespace
}  // namespace cdcwatch
