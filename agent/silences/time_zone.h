// An IANA time zone read from the system's TZif files (/usr/share/zoneinfo, Debian's tzdata),
// because GCC 12's libstdc++ has no std::chrono::tzdb. Reads the version 2+ 64-bit data and, for
// times after the last transition, the POSIX TZ footer ("CET-1CEST,M3.5.0,M10.5.0/3").
// Format: https://www.rfc-editor.org/rfc/rfc8536 (sections 3.1-3.3); footer rules as in
// https://pubs.opengroup.org/onlinepubs/9699919799/basedefs/V1_chap08.html (TZ).
// A loaded zone is immutable, so thread-safe; load_time_zone's cache takes a lock. No setenv("TZ").
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace cdcwatch {

class TimeZoneError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The POSIX TZ rule of the footer: standard time, and optionally daylight time between two rules.
struct PosixTimeZone {
  struct Rule {
    enum class Kind { kJulianNoLeap, kZeroBasedDay, kMonthWeekDay } kind = Kind::kMonthWeekDay;
    int day = 0, week = 0, month = 0;  // Jn / n use `day`; Mm.w.d uses all three
    int64_t time = 7200;               // seconds after local midnight
  };
  int64_t std_offset = 0;  // seconds east of UTC
  std::optional<int64_t> dst_offset;
  Rule dst_start, dst_end;

  int64_t offset_at(int64_t utc_seconds) const;
};

// Throws TimeZoneError naming what is wrong with `text`.
PosixTimeZone parse_posix_tz(const std::string& text);

class TimeZone {
 public:
  // Parses TZif `content`; throws TimeZoneError naming `name` and the damage.
  TimeZone(std::string name, const std::string& content);

  const std::string& name() const { return name_; }
  // Seconds east of UTC in force at `utc_seconds`.
  int64_t offset_at(int64_t utc_seconds) const;

 private:
  std::string name_;
  std::vector<int64_t> transitions_;      // UTC seconds, ascending
  std::vector<uint8_t> transition_type_;  // index into offsets_
  std::vector<int64_t> offsets_;          // per local time type
  std::optional<PosixTimeZone> footer_;
};

inline constexpr const char* kZoneInfoDir = "/usr/share/zoneinfo";

// "Europe/Berlin" from `zoneinfo_dir`, cached. Throws TimeZoneError for a name that is no zone
// there (with the fix), or a damaged file.
std::shared_ptr<const TimeZone> load_time_zone(const std::string& name,
                                               const std::string& zoneinfo_dir = kZoneInfoDir);

}  // namespace cdcwatch
