// Which alert instances must not page now: those an active silence (state_dir/silences.json) or
// an open maintenance window covers. The engine calls refresh() at each evaluation (at least every
// second); it re-reads the silences file only when its inode, size or mtime changed. A damaged file
// is reported in status_json() and the log, and the silences read last stay in force (a broken
// edit must not page everyone). Not thread-safe: the engine calls it under its evaluation lock.
#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agent/core/clock.h"
#include "agent/core/readings.h"
#include "agent/silences/maintenance.h"
#include "agent/silences/silence.h"

namespace cdcwatch {

struct Suppression {
  std::string silence_id;   // set when a silence covers the instance
  std::string maintenance;  // else the maintenance window's name
};

class SuppressionFilter {
 public:
  SuppressionFilter(const std::string& state_dir, std::vector<MaintenanceWindow> maintenance);

  void refresh(TimePoint now);
  // `alert_labels`: alert, severity and the instance's labels (pipeline and hop among them). An
  // instance of several pipelines (`pipeline=orders,payments`: a shared PostgreSQL server) is
  // covered only when it is covered for each of them: silencing orders must not hide from the
  // payments on-call that their source is down.
  std::optional<Suppression> suppressed(const Labels& alert_labels) const;
  nlohmann::json status_json() const;

 private:
  struct FileSignature {
    ino_t inode = 0;
    off_t size = -1;
    int64_t mtime_ns = -1;
    bool operator==(const FileSignature&) const = default;
  };
  void reload_silences(const FileSignature& signature);
  std::optional<Suppression> covering(const Labels& alert_labels) const;
  void log_changes(const std::set<std::string>& in_force);

  std::string path_;
  std::vector<MaintenanceWindow> maintenance_;
  std::vector<Silence> silences_;
  FileSignature read_;
  std::string problem_;
  std::vector<const Silence*> active_silences_;
  std::vector<const MaintenanceWindow*> open_windows_;
  std::set<std::string> in_force_;  // as logged
};

}  // namespace cdcwatch
