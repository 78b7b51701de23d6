// Logging setup: text or JSON lines on stderr through spdlog, every line scrubbed of known secrets.
#pragma once

#include <map>
#include <mutex>
#include <string>

namespace cdcwatch {

// format: "text" or "json"; level: trace, debug, info, warn, error. Throws std::invalid_argument
// on an unknown value (config validation catches these first).
void init_logging(const std::string& format, const std::string& level);

// Logs a dependency's state only when it changes (up→down, down→up), not every cycle.
// Thread-safe.
class StateChangeLog {
 public:
  // Returns true (and logs) when `key` changed state.
  bool report(const std::string& key, bool healthy, const std::string& detail);

 private:
  std::mutex mutex_;
  std::map<std::string, bool> healthy_;
};

}  // namespace cdcwatch
