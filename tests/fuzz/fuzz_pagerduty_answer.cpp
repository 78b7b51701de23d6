// Fuzz target: any body PagerDuty (or a proxy in front of it) answers becomes a one-line
// description, never a crash or an exception.
#include <cstddef>
#include <cstdint>
#include <string>

#include "agent/alerting/pagerduty_notifier.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string body(reinterpret_cast<const char*>(data), size);
  for (int status : {202, 400, 429, 500}) {
    std::string line = cdcwatch::describe_pagerduty_answer(status, body);
    if (line.rfind("HTTP ", 0) != 0) __builtin_trap();
  }
  return 0;
}
