// Waiting on an in-process agent's /metrics text.
#pragma once

#include <string>
#include <string_view>

#include "agent/app/agent.h"
#include "tests/support/eventually.h"

namespace cdcwatch::testing {

// The agent's metrics text once it contains `wanted`, or its latest text when the wait ran out.
inline std::string metrics_containing(Agent& agent, std::string_view wanted) {
  std::string text;
  eventually([&] {
    text = agent.metrics_text();
    return text.find(wanted) != std::string::npos;
  });
  return text;
}

}  // namespace cdcwatch::testing
