// Polls a condition until it holds or a generous limit passes: for waiting on other threads and
// processes without asserting on timing.
#pragma once

#include <chrono>
#include <thread>

namespace cdcwatch::testing {

template <typename Predicate>
bool eventually(Predicate predicate,
                std::chrono::milliseconds limit = std::chrono::milliseconds(20000)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (predicate()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return predicate();
}

}  // namespace cdcwatch::testing
