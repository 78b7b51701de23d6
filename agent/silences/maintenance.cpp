#include "agent/silences/maintenance.h"

#include <set>

#include "agent/silences/rfc3339.h"

namespace cdcwatch {
namespace {

TimePoint timestamp(const ConfigNode& entry, std::string_view key) {
  ConfigNode node = entry.child(key);
  auto parsed = parse_rfc3339(node.as_string());
  if (!parsed) {
    node.fail(
        "not an RFC 3339 timestamp; write e.g. 2026-12-01T02:00:00Z or "
        "2026-12-01T03:00:00+01:00");
  }
  return *parsed;
}

void parse_fixed(const ConfigNode& entry, MaintenanceWindow& window) {
  if (!entry.has("end")) entry.child("start").fail("a window with start needs an end too");
  if (!entry.has("start")) entry.child("end").fail("a window with end needs a start too");
  for (const char* key : {"duration", "timezone"}) {
    if (entry.has(key)) {
      entry.child(key).fail(std::string(key) +
                            " belongs to a schedule window; with start/end, remove it");
    }
  }
  window.start = timestamp(entry, "start");
  window.end = timestamp(entry, "end");
  if (*window.end <= *window.start) {
    entry.child("end").fail("end is not after start (" + format_timestamp(*window.start) +
                            "); swap them or fix the date");
  }
}

void parse_scheduled(const ConfigNode& entry, MaintenanceWindow& window) {
  try {
    window.schedule = CronSchedule::parse(entry.child("schedule").as_string());
  } catch (const CronError& e) {
    entry.child("schedule").fail(e.what());
  }
  if (!entry.has("duration")) {
    entry.child("schedule")
        .fail("a schedule needs a duration (how long each window lasts, e.g. 2h)");
  }
  window.duration = entry.child("duration").as_duration();
  if (window.duration <= Millis(0) || window.duration > kMaxMaintenanceDuration) {
    entry.child("duration").fail("a window lasts more than 0s and at most 7d");
  }
  if (!entry.has("timezone")) {
    entry.child("schedule")
        .fail(
            "a schedule needs a timezone (the IANA zone its times are in, e.g. Europe/Berlin or "
            "UTC)");
  }
  try {
    window.timezone = load_time_zone(entry.child("timezone").as_string());
  } catch (const TimeZoneError& e) {
    entry.child("timezone").fail(e.what());
  }
}

MaintenanceWindow parse_window(const ConfigNode& entry) {
  entry.expect_keys({"name", "match", "start", "end", "schedule", "duration", "timezone"});
  MaintenanceWindow window;
  window.name = entry.required_string("name");
  try {
    window.matcher = parse_matcher(entry.required_string("match"));
  } catch (const MatcherError& e) {
    entry.child("match").fail(e.what());
  }
  bool fixed = entry.has("start") || entry.has("end");
  if (fixed && entry.has("schedule")) {
    entry.child("schedule").fail("give either start/end or schedule, not both");
  }
  if (fixed) {
    parse_fixed(entry, window);
  } else if (entry.has("schedule")) {
    parse_scheduled(entry, window);
  } else {
    entry.fail(
        "a maintenance window needs start and end (RFC 3339), or schedule (cron), "
        "duration and timezone");
  }
  return window;
}

}  // namespace

bool MaintenanceWindow::open_at(TimePoint now) const {
  if (start) return *start <= now && now < *end;
  using namespace std::chrono;
  int64_t now_seconds = duration_cast<seconds>(now.time_since_epoch()).count();
  int64_t latest = now_seconds - ((now_seconds % 60) + 60) % 60;
  int64_t earliest = now_seconds - duration_cast<seconds>(duration).count();
  for (int64_t minute = latest; minute > earliest; minute -= 60) {
    if (schedule->matches(civil_minute_of(minute + timezone->offset_at(minute)))) return true;
  }
  return false;
}

std::vector<MaintenanceWindow> parse_maintenance(const std::vector<ConfigNode>& entries) {
  std::vector<MaintenanceWindow> out;
  std::set<std::string> names;
  for (const auto& entry : entries) {
    out.push_back(parse_window(entry));
    if (!names.insert(out.back().name).second) {
      entry.child("name").fail("duplicate name '" + out.back().name +
                               "'; each window needs its own");
    }
  }
  return out;
}

nlohmann::json describe(const MaintenanceWindow& window) {
  nlohmann::json out = {{"name", window.name}, {"match", window.matcher.text()}};
  if (window.start) {
    out["start"] = format_timestamp(*window.start);
    out["end"] = format_timestamp(*window.end);
  } else {
    out["schedule"] = window.schedule->text();
    out["duration"] = format_duration(window.duration);
    out["timezone"] = window.timezone->name();
  }
  return out;
}

}  // namespace cdcwatch
