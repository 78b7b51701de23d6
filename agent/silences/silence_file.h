// state_dir/silences.json: the silences, written by `cdcwatch silence` and read by the running
// agent. Written whole and atomically (durable_file.h), so a reader sees the old or the new set,
// never half; writers take an flock on silences.json.lock so two commands never lose each other's
// silence. Silences that ended more than `kKeepEnded` ago are dropped on the next write.
//   {"version": 1, "silences": [{"id", "match", "starts_at", "ends_at", "comment", "created_at"}]}
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "agent/silences/silence.h"

namespace cdcwatch {

inline constexpr int kSilenceFileVersion = 1;
inline constexpr std::chrono::hours kKeepEnded{24};

class SilenceFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::string silence_file_path(const std::string& state_dir);

// The silences in `path`; none when it does not exist. Throws SilenceFileError naming the path
// and the damage (not JSON, a newer version, a malformed entry).
std::vector<Silence> read_silences(const std::string& path);
std::vector<Silence> parse_silences(const std::string& content, const std::string& path);
// Writes `silences` without those that ended before now - kKeepEnded. Throws std::runtime_error.
void write_silences(const std::string& path, const std::vector<Silence>& silences, TimePoint now);

// Held while a command reads, changes and writes the file.
class SilenceFileLock {
 public:
  explicit SilenceFileLock(const std::string& path);  // throws std::runtime_error
  ~SilenceFileLock();
  SilenceFileLock(const SilenceFileLock&) = delete;
  SilenceFileLock& operator=(const SilenceFileLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace cdcwatch
