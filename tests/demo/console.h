// The demo's terminal: pages arrive on the PagerDuty receiver's thread while the main thread
// narrates, so every block goes out whole through one lock. Thread-safe.
#pragma once

#include <cstdio>
#include <mutex>
#include <string>

namespace cdcwatch::demo {

class Console {
 public:
  explicit Console(FILE* out = stdout) : out_(out) {}
  void print(const std::string& text) {
    std::lock_guard lock(mutex_);
    std::fwrite(text.data(), 1, text.size(), out_);
    std::fflush(out_);
  }
  // A narration line: "\n>>> text\n".
  void say(const std::string& text) { print("\n>>> " + text + "\n"); }

 private:
  FILE* out_;
  std::mutex mutex_;
};

}  // namespace cdcwatch::demo
