#include "agent/core/probe_state_store.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <iterator>

#include "agent/core/durable_file.h"

namespace cdcwatch {
namespace {

constexpr const char* kFormatName = "cdcwatch probe state";
// Room for the envelope around the largest state a probe may save.
constexpr size_t kMaxFileBytes = ProbeStateStore::kMaxStateBytes + 4096;

// Probe names are "<kind>/<entry>[/<stage>]" of letters, digits, '-', '_' and '.': only '/' (and
// anything unexpected) needs escaping to make one file name.
std::string file_name_of(const std::string& probe) {
  std::string out;
  for (unsigned char c : probe) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
      out += static_cast<char>(c);
    } else {
      char escaped[4];
      std::snprintf(escaped, sizeof escaped, "%%%02X", c);
      out += escaped;
    }
  }
  return out + ".json";
}

// The file's bytes when it is a regular file no larger than the cap; a warning otherwise.
std::optional<std::string> read_bounded(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return std::nullopt;  // never saved: a fresh start
  if (!S_ISREG(info.st_mode) || static_cast<size_t>(info.st_size) > kMaxFileBytes) {
    spdlog::warn("probe state {} is not a regular file of at most {} bytes; starting fresh", path,
                 kMaxFileBytes);
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  std::string content(kMaxFileBytes + 1, '\0');
  in.read(content.data(), static_cast<std::streamsize>(content.size()));
  content.resize(static_cast<size_t>(in.gcount()));
  return content;
}

}  // namespace

ProbeStateStore::ProbeStateStore(std::string state_dir) { use_state_dir(state_dir); }

void ProbeStateStore::use_state_dir(const std::string& state_dir) {
  std::lock_guard lock(mutex_);
  directory_ = state_dir.empty() ? "" : state_dir + "/probes";
}

std::string ProbeStateStore::file_of(const std::string& probe) const {
  return directory_ + "/" + file_name_of(probe);
}

void ProbeStateStore::track(const std::string& probe, const std::string& fingerprint) {
  std::lock_guard lock(mutex_);
  fingerprints_[probe] = fingerprint;
}

void ProbeStateStore::forget(const std::string& probe) {
  std::lock_guard lock(mutex_);
  fingerprints_.erase(probe);
  saved_.erase(probe);
  if (directory_.empty()) return;
  try {
    remove_file_durably(file_of(probe));
  } catch (const std::exception& e) {
    spdlog::warn("cannot remove the state of removed probe {}: {}", probe, e.what());
  }
}

void ProbeStateStore::save(const std::string& probe, const nlohmann::json& state) {
  if (state.is_null()) return;
  std::lock_guard lock(mutex_);
  auto fingerprint = fingerprints_.find(probe);
  if (fingerprint == fingerprints_.end()) return;  // not (or no longer) run by this agent
  if (state.dump().size() > kMaxStateBytes) {
    if (warned_.insert(probe).second) {
      spdlog::warn("probe {} saved a state over {} bytes; it is not kept", probe, kMaxStateBytes);
    }
    saved_.erase(probe);
    if (!directory_.empty()) std::remove(file_of(probe).c_str());  // an older state is doubtful
    return;
  }
  Saved next{fingerprint->second, state};
  auto previous = saved_.find(probe);
  if (previous != saved_.end() && previous->second.fingerprint == next.fingerprint &&
      previous->second.state == next.state) {
    return;  // unchanged: spare the disk an fsync
  }
  saved_[probe] = next;
  if (!directory_.empty()) write_file(probe, next);
}

void ProbeStateStore::write_file(const std::string& probe, const Saved& saved) {
  nlohmann::json envelope = {{"format", kFormatName},
                             {"version", kFormatVersion},
                             {"probe", probe},
                             {"fingerprint", saved.fingerprint},
                             {"state", saved.state}};
  try {
    create_private_directory(directory_);
    write_file_durably(file_of(probe), envelope.dump());
    if (warned_.erase(probe)) spdlog::info("probe {}: its state is saved again", probe);
  } catch (const std::exception& e) {
    // Memory still holds it for a reload; only a restart would start this probe fresh.
    if (warned_.insert(probe).second) {
      spdlog::warn("cannot save the state of probe {} ({}); a restart will start it fresh", probe,
                   e.what());
    }
  }
}

std::optional<ProbeStateStore::Saved> ProbeStateStore::read_file(const std::string& probe) const {
  if (directory_.empty()) return std::nullopt;
  const std::string path = file_of(probe);
  auto content = read_bounded(path);
  if (!content) return std::nullopt;
  auto envelope = nlohmann::json::parse(*content, nullptr, false);
  if (!envelope.is_object() || envelope.value("format", "") != kFormatName ||
      !envelope.contains("state") || !envelope["fingerprint"].is_string() ||
      !envelope["probe"].is_string()) {
    spdlog::warn("probe state {} is corrupt; probe {} starts fresh", path, probe);
    return std::nullopt;
  }
  if (envelope["version"] != kFormatVersion) {
    spdlog::warn("probe state {} has format version {}, this build reads {}; probe {} starts fresh",
                 path, envelope["version"].dump(), kFormatVersion, probe);
    return std::nullopt;
  }
  if (envelope["probe"] != probe) {
    spdlog::warn("probe state {} belongs to probe {}; probe {} starts fresh", path,
                 envelope["probe"].get<std::string>(), probe);
    return std::nullopt;
  }
  return Saved{envelope["fingerprint"].get<std::string>(), envelope["state"]};
}

std::optional<nlohmann::json> ProbeStateStore::load(const std::string& probe) {
  std::lock_guard lock(mutex_);
  auto fingerprint = fingerprints_.find(probe);
  if (fingerprint == fingerprints_.end()) return std::nullopt;
  std::optional<Saved> saved;
  if (auto in_memory = saved_.find(probe); in_memory != saved_.end()) {
    saved = in_memory->second;
  } else {
    saved = read_file(probe);
  }
  if (!saved) return std::nullopt;
  if (saved->fingerprint != fingerprint->second) {
    spdlog::info("probe {}: its config entry changed, so it starts with a fresh state", probe);
    saved_.erase(probe);
    return std::nullopt;
  }
  saved_[probe] = *saved;
  return saved->state;
}

std::string fingerprint_of(const std::string& text) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(hash));
  return out;
}

}  // namespace cdcwatch
