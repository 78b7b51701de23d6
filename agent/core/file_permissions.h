// Refuses private key files that other users can read, as ssh does: a key readable by group or
// others is a leaked key waiting to happen.
#pragma once

#include <optional>
#include <string>

namespace cdcwatch {

// nullopt when `path` is a regular file readable by us and not by group/others; otherwise a
// message saying what is wrong and the chmod/chown that fixes it.
std::optional<std::string> private_key_file_problem(const std::string& path);

}  // namespace cdcwatch
