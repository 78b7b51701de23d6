#include "agent/alerting/outbox.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>

#include "agent/core/durable_file.h"

namespace cdcwatch {
namespace fs = std::filesystem;

Outbox::Outbox(std::string dir) : dir_(std::move(dir)) {
  try {
    create_private_directory(dir_);
    load();
  } catch (const std::exception& e) {
    problem_ = e.what();
    spdlog::error("outbox {}: {}; pages are kept in memory only until it can be written", dir_,
                  problem_);
  }
}

std::string Outbox::path_of(uint64_t seq) const {
  char name[32];
  std::snprintf(name, sizeof name, "%020llu.json", static_cast<unsigned long long>(seq));
  return (fs::path(dir_) / name).string();
}

namespace {

constexpr size_t kSeqDigits = 20;

// The sequence number of a name the outbox writes: "<20 digits>.json", optionally followed by
// ".tmp" (a write cut short) or ".corrupt" (quarantined); nothing for any other name.
std::optional<uint64_t> seq_of(const std::string& name, std::string* suffix) {
  if (name.size() < kSeqDigits + 5 || name.compare(kSeqDigits, 5, ".json") != 0) return {};
  std::string rest = name.substr(kSeqDigits + 5);
  if (rest != "" && rest != ".tmp" && rest != ".corrupt") return {};
  uint64_t seq = 0;
  auto [end, error] = std::from_chars(name.data(), name.data() + kSeqDigits, seq);
  if (error != std::errc() || end != name.data() + kSeqDigits) return {};
  if (suffix) *suffix = rest;
  return seq;
}

}  // namespace

void Outbox::load() {
  std::vector<std::pair<uint64_t, fs::path>> pages;
  for (const auto& item : fs::directory_iterator(dir_)) {
    std::string name = item.path().filename().string();
    std::string suffix;
    auto seq = seq_of(name, &suffix);
    if (!seq) {
      spdlog::warn("outbox {}: '{}' is not a page cdcwatch wrote; left alone", dir_, name);
      continue;
    }
    // Quarantined and half-written names count too: a sequence number is never used twice.
    next_seq_ = std::max(next_seq_, *seq + 1);
    if (suffix == ".tmp") {
      std::error_code ignored;
      fs::remove(item.path(), ignored);
    } else if (suffix.empty()) {
      pages.emplace_back(*seq, item.path());
    }
  }
  std::sort(pages.begin(), pages.end());
  for (const auto& [seq, path] : pages) {
    try {
      auto content = read_whole_file(path.string());
      if (!content) throw std::runtime_error("cannot be read");
      entries_.push_back({seq, alert_event_from_json(nlohmann::json::parse(*content)), true});
    } catch (const std::exception& e) {
      quarantine(path, e.what());
    }
  }
}

// Written by rename, so damage comes from outside (a disk error, a person): keep the file for a
// person to inspect, and the rest of the queue going.
void Outbox::quarantine(const fs::path& path, const std::string& why) {
  std::error_code error;
  fs::rename(path, path.string() + ".corrupt", error);
  ++quarantined_;
  spdlog::error("outbox entry {} is unreadable ({}); {} as {}.corrupt, the other pages are sent",
                path.string(), why, error ? "could not be moved aside" : "moved aside",
                path.filename().string());
}

void Outbox::push(AlertEvent event) {
  std::lock_guard lock(mutex_);
  Entry entry{next_seq_, std::move(event), false};
  try {
    if (!fs::is_directory(dir_)) create_private_directory(dir_);
    // A name someone put there since the load is theirs: never overwritten, never reused.
    while (fs::exists(path_of(entry.seq)) || fs::exists(path_of(entry.seq) + ".corrupt")) {
      ++entry.seq;
    }
    write_file_durably(path_of(entry.seq), to_json(entry.event).dump());
    entry.on_disk = true;
    if (!problem_.empty()) spdlog::info("outbox {} is writable again", dir_);
    problem_.clear();
  } catch (const std::exception& e) {
    if (problem_.empty()) {
      spdlog::error("outbox: {}; the page is kept in memory and will still be sent", e.what());
    }
    problem_ = e.what();
  }
  next_seq_ = entry.seq + 1;
  entries_.push_back(std::move(entry));
  changed_.notify_all();
}

std::optional<Outbox::Entry> Outbox::front() const {
  std::lock_guard lock(mutex_);
  if (entries_.empty()) return std::nullopt;
  return entries_.front();
}

void Outbox::pop(uint64_t seq) {
  std::lock_guard lock(mutex_);
  auto it =
      std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.seq == seq; });
  if (it == entries_.end()) return;
  if (it->on_disk) {
    try {
      remove_file_durably(path_of(seq));
    } catch (const std::exception& e) {
      // Sent already: at worst it is sent again after a restart, and the dedup_key makes that
      // harmless to PagerDuty.
      spdlog::warn("outbox: {}", e.what());
    }
  }
  entries_.erase(it);
}

void Outbox::wait(Millis timeout) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout, [this] { return !entries_.empty() || woken_; });
  woken_ = false;
}

void Outbox::wake() {
  std::lock_guard lock(mutex_);
  woken_ = true;
  changed_.notify_all();
}

size_t Outbox::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

std::optional<TimePoint> Outbox::oldest_created_at() const {
  std::lock_guard lock(mutex_);
  if (entries_.empty()) return std::nullopt;
  return entries_.front().event.created_at;
}

std::vector<AlertEvent> Outbox::pending() const {
  std::lock_guard lock(mutex_);
  std::vector<AlertEvent> out;
  for (const auto& entry : entries_) out.push_back(entry.event);
  return out;
}

bool Outbox::durable() const {
  std::lock_guard lock(mutex_);
  return problem_.empty();
}

uint64_t Outbox::quarantined() const {
  std::lock_guard lock(mutex_);
  return quarantined_;
}

std::string Outbox::problem() const {
  std::lock_guard lock(mutex_);
  return problem_;
}

}  // namespace cdcwatch
