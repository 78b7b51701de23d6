#include "agent/alerting/outbox.h"

#include <spdlog/spdlog.h>

#include <algorithm>
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

void Outbox::load() {
  std::vector<std::pair<uint64_t, fs::path>> files;
  for (const auto& item : fs::directory_iterator(dir_)) {
    std::string name = item.path().filename().string();
    if (name.size() != 25 || !name.ends_with(".json")) continue;  // .tmp leftovers, .corrupt
    files.emplace_back(std::stoull(name.substr(0, 20)), item.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& [seq, path] : files) {
    next_seq_ = std::max(next_seq_, seq + 1);
    auto content = read_whole_file(path.string());
    try {
      auto json = nlohmann::json::parse(content.value_or(""));
      entries_.push_back({seq, alert_event_from_json(json), true});
    } catch (const std::exception& e) {
      // Written by rename, so this is damage from outside; keep it for a person to inspect.
      spdlog::error("outbox entry {} is unreadable ({}); moved aside as .corrupt", path.string(),
                    e.what());
      std::error_code ignored;
      fs::rename(path, path.string() + ".corrupt", ignored);
    }
  }
  for (const auto& leftover : fs::directory_iterator(dir_)) {
    if (leftover.path().extension() == ".tmp") fs::remove(leftover.path());
  }
}

void Outbox::push(AlertEvent event) {
  std::lock_guard lock(mutex_);
  Entry entry{next_seq_++, std::move(event), false};
  try {
    if (!fs::is_directory(dir_)) create_private_directory(dir_);
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

std::string Outbox::problem() const {
  std::lock_guard lock(mutex_);
  return problem_;
}

}  // namespace cdcwatch
