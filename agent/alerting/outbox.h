// A notifier's durable queue in `state_dir`: an event is written (fsync, atomic rename) before it
// is sent and removed after its peer accepted it, so a page pending at a crash is delivered after
// the restart, events leave in the order they were decided (a resolve never overtakes its trigger),
// and a burst beyond the peer's rate limit waits instead of being dropped.
// Only names the outbox writes are read ("<20-digit seq>.json"); any other file is logged and left
// alone. A page file that cannot be parsed is quarantined (renamed to .corrupt, counted, logged)
// and the rest load. Sequence numbers continue past every name seen, quarantined ones included.
// When the directory cannot be written (disk full, read-only), events are kept in memory, still in
// order, and durable() says so; writing is retried with the next event. Thread-safe.
#pragma once

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "agent/alerting/alert_event.h"

namespace cdcwatch {

class Outbox {
 public:
  struct Entry {
    uint64_t seq = 0;
    AlertEvent event;
    bool on_disk = false;
  };

  // Creates `dir` if needed and loads the entries a previous run left, oldest first.
  explicit Outbox(std::string dir);

  void push(AlertEvent event);
  std::optional<Entry> front() const;
  void pop(uint64_t seq);
  // Blocks until an entry is queued, wake() is called, or the timeout passes.
  void wait(Millis timeout);
  void wake();

  size_t size() const;
  std::optional<TimePoint> oldest_created_at() const;
  std::vector<AlertEvent> pending() const;
  bool durable() const;
  std::string problem() const;   // why it is not durable; empty when it is
  uint64_t quarantined() const;  // damaged page files moved aside since start
  const std::string& dir() const { return dir_; }

 private:
  std::string path_of(uint64_t seq) const;
  void load();
  void quarantine(const std::filesystem::path& path, const std::string& why);

  std::string dir_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Entry> entries_;
  uint64_t next_seq_ = 1;
  std::string problem_;
  bool woken_ = false;
  uint64_t quarantined_ = 0;
};

}  // namespace cdcwatch
