// Picks the port the demo's agent listens on: 9720 (agent.listen's default), or the next free one
// when something already holds it, such as another cdcwatch.
#pragma once

#include <optional>
#include <string>

namespace cdcwatch::demo {

// Whether a listener could bind `host`:`port` now without sharing it (no SO_REUSEPORT, as the
// agent must not share its port): false while any program listens there.
bool port_free(const std::string& host, int port);

// `preferred` when free, else the first free port of the `tries` - 1 ports above it.
std::optional<int> first_free_port(const std::string& host, int preferred, int tries = 20);

}  // namespace cdcwatch::demo
