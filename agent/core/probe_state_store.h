// What every probe must not forget (Probe::save_state), kept in memory for a reload and
// checkpointed to <state_dir>/probes/<probe>.json for a restart. A file holds one probe's state in
// a versioned envelope with the probe's name and the fingerprint of its config entry, so a state is
// only ever given back to the same probe running the same entry. Files are written atomically
// (durable_file), only when the state changed, and read only under the names this class writes.
// A file that is corrupt, too large, of an unknown version or for another entry is a logged
// warning and a fresh start, never a crash. Thread-safe: probes save from their workers.
#pragma once

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>

namespace cdcwatch {

class ProbeStateStore {
 public:
  static constexpr int kFormatVersion = 1;
  // A state is a window or a history, not a database: larger ones are refused with a warning.
  static constexpr size_t kMaxStateBytes = 1024 * 1024;

  // Empty `state_dir`: memory only (reloads keep state, restarts do not).
  explicit ProbeStateStore(std::string state_dir);

  // agent.state_dir changed on a reload: later saves go there (memory keeps what it has).
  void use_state_dir(const std::string& state_dir);
  // The probe now runs the config entry with this fingerprint; its saves are tagged with it.
  void track(const std::string& probe, const std::string& fingerprint);
  // The probe's entry left the config: forget its state in memory and on disk.
  void forget(const std::string& probe);
  // After a cycle: remembers the state and writes it when it changed. Null states are not kept.
  void save(const std::string& probe, const nlohmann::json& state);
  // The state saved for the probe under its tracked fingerprint, from memory, else from its file.
  std::optional<nlohmann::json> load(const std::string& probe);

  std::string file_of(const std::string& probe) const;

 private:
  struct Saved {
    std::string fingerprint;
    nlohmann::json state;
  };
  std::optional<Saved> read_file(const std::string& probe) const;
  void write_file(const std::string& probe, const Saved& saved);

  std::string directory_;
  std::mutex mutex_;
  std::map<std::string, std::string> fingerprints_;
  std::map<std::string, Saved> saved_;
  std::set<std::string> warned_;  // probes whose write failed, so it is logged once
};

// A short stable digest (FNV-1a, 64 bits, hex) for telling whether a config entry changed.
// Not a security hash: fingerprints are built from redacted descriptions, never from secrets.
std::string fingerprint_of(const std::string& text);

}  // namespace cdcwatch
