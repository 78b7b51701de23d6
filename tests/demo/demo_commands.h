// What the person running the demo can type while it runs, and what each command does to the
// pipeline simulator: `break sink`, `fail sink`, `break capture`, `break kafka`, `slow warehouse`
// inject a fault, `heal` clears them all, `status`, `help`, `quit`. Parsing is pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/pipeline_simulator.h"

namespace cdcwatch::demo {

// A fault the user can inject, in their words, with what cdcwatch should page.
struct FaultCommand {
  std::string words;  // "break sink"
  testing::Fault fault;
  std::string what;    // what breaks, as the case study tells it
  std::string expect;  // which pages to expect and roughly when, at the demo's thresholds
};

const std::vector<FaultCommand>& fault_commands();
const FaultCommand& fault_command(testing::Fault fault);

struct DemoCommand {
  enum class Kind { kNone, kBreak, kHeal, kStatus, kHelp, kQuit, kUnknown };
  Kind kind = Kind::kNone;
  std::optional<testing::Fault> fault;  // for kBreak
  std::string typed;                    // the line as typed, trimmed
};

// Case and extra spaces do not matter ("Break  Sink"); an empty line is kNone.
DemoCommand parse_command(std::string_view line);
std::string command_help();

}  // namespace cdcwatch::demo
