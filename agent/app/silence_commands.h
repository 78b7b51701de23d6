// `cdcwatch silence add|list|expire`: edits state_dir/silences.json, which the running agent reads
// within a second (the HTTP endpoints stay read-only). Exit codes as commands.h.
#pragma once

#include <string>
#include <vector>

namespace cdcwatch {

// `args` after "silence".
int silence_command(const std::vector<std::string>& args);

}  // namespace cdcwatch
