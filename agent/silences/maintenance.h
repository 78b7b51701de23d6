// A maintenance window from the config's `maintenance:` section: alert instances its matcher
// covers do not page while it is open. Either fixed (`start`/`end`, RFC 3339) or recurring (a cron
// `schedule` in an IANA `timezone`, each start opening the window for `duration`). Immutable after
// parsing, so thread-safe.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "agent/core/clock.h"
#include "agent/core/config_node.h"
#include "agent/core/units.h"
#include "agent/silences/cron_schedule.h"
#include "agent/silences/matcher.h"
#include "agent/silences/time_zone.h"

namespace cdcwatch {

// The longest recurring window: a window is found by looking back this far for its start.
inline constexpr Millis kMaxMaintenanceDuration{7LL * 24 * 3600 * 1000};

struct MaintenanceWindow {
  std::string name;
  Matcher matcher;
  std::optional<TimePoint> start, end;
  std::optional<CronSchedule> schedule;
  Millis duration{0};
  std::shared_ptr<const TimeZone> timezone;

  // A scheduled window is open when a start within the last `duration` matches the schedule in
  // local time; a start in the hour a DST change skips never happens, one in the repeated hour
  // happens twice (both keep the window open).
  bool open_at(TimePoint now) const;
};

// The `maintenance:` list; throws ConfigError naming file:line and the fix.
std::vector<MaintenanceWindow> parse_maintenance(const std::vector<ConfigNode>& entries);
nlohmann::json describe(const MaintenanceWindow& window);

}  // namespace cdcwatch
