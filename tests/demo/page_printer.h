// Prints a PagerDuty event as the person holding the pager would read it (the demo's receiver).
#pragma once

#include <nlohmann/json.hpp>

namespace cdcwatch::demo {

void print_page(const nlohmann::json& event);

}  // namespace cdcwatch::demo
