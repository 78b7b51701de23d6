// Files that survive a crash whole or not at all: written to a temporary name, fsynced, renamed
// over the target, and the directory fsynced. A reader never sees a half-written file.
#pragma once

#include <optional>
#include <string>

namespace cdcwatch {

// Throws std::runtime_error naming the path and the system error (e.g. "No space left on device").
void write_file_durably(const std::string& path, const std::string& content);
// Removes the file and fsyncs its directory; a missing file is not an error.
void remove_file_durably(const std::string& path);
// Creates the directory and its parents with mode 0700; throws std::runtime_error on failure.
void create_private_directory(const std::string& path);
std::optional<std::string> read_whole_file(const std::string& path);

}  // namespace cdcwatch
