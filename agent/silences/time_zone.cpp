#include "agent/silences/time_zone.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>

#include "agent/core/durable_file.h"

namespace cdcwatch {
namespace {

constexpr size_t kHeaderSize = 44;

class Reader {
 public:
  Reader(const std::string& data, const std::string& name) : data_(data), name_(name) {}
  uint64_t big_endian(size_t bytes) {
    need(bytes);
    uint64_t value = 0;
    for (size_t i = 0; i < bytes; ++i) value = (value << 8) | static_cast<uint8_t>(data_[at_ + i]);
    at_ += bytes;
    return value;
  }
  void skip(size_t bytes) {
    need(bytes);
    at_ += bytes;
  }
  size_t at() const { return at_; }

 private:
  void need(size_t bytes) const {
    if (at_ + bytes > data_.size()) {
      throw TimeZoneError("time zone " + name_ + ": the TZif file is cut short");
    }
  }
  const std::string& data_;
  const std::string& name_;
  size_t at_ = 0;
};

struct Counts {
  uint64_t isut, isstd, leap, time, type, chars;
};

Counts read_header(Reader& in, const std::string& content, const std::string& name) {
  size_t start = in.at();
  if (content.compare(start, 4, "TZif") != 0) {
    throw TimeZoneError("time zone " + name + ": not a TZif file");
  }
  in.skip(20);
  Counts counts{};
  for (uint64_t* field :
       {&counts.isut, &counts.isstd, &counts.leap, &counts.time, &counts.type, &counts.chars})
    *field = in.big_endian(4);
  if (counts.type == 0) throw TimeZoneError("time zone " + name + ": no local time types");
  return counts;
}

int64_t days_from_civil(int year, unsigned month, unsigned day) {
  using namespace std::chrono;
  return sys_days(year_month_day{std::chrono::year(year), std::chrono::month(month),
                                 std::chrono::day(day)})
      .time_since_epoch()
      .count();
}

bool is_leap(int year) { return std::chrono::year(year).is_leap(); }

// Local seconds since the epoch at which `rule` falls in `year`.
int64_t rule_local_seconds(const PosixTimeZone::Rule& rule, int year) {
  int64_t day = 0;
  using Kind = PosixTimeZone::Rule::Kind;
  if (rule.kind == Kind::kJulianNoLeap) {
    day = days_from_civil(year, 1, 1) + rule.day - 1;
    if (is_leap(year) && rule.day >= 60) ++day;  // Jn never counts February 29
  } else if (rule.kind == Kind::kZeroBasedDay) {
    day = days_from_civil(year, 1, 1) + rule.day;
  } else {
    using namespace std::chrono;
    int64_t first = days_from_civil(year, static_cast<unsigned>(rule.month), 1);
    unsigned first_weekday = weekday(sys_days(days(first))).c_encoding();
    int64_t mday = 1 + (rule.day - static_cast<int>(first_weekday) + 7) % 7 + (rule.week - 1) * 7;
    unsigned last = static_cast<unsigned>(
        year_month_day_last(std::chrono::year(year),
                            month_day_last(std::chrono::month(static_cast<unsigned>(rule.month))))
            .day());
    while (mday > last) mday -= 7;
    day = first + mday - 1;
  }
  return day * 86400 + rule.time;
}

int year_of(int64_t seconds) {
  using namespace std::chrono;
  int64_t days_since = seconds / 86400 - (seconds % 86400 < 0 ? 1 : 0);
  return static_cast<int>(year_month_day(sys_days(days(days_since))).year());
}

}  // namespace

int64_t PosixTimeZone::offset_at(int64_t utc_seconds) const {
  if (!dst_offset) return std_offset;
  int year = year_of(utc_seconds + std_offset);
  int64_t start = rule_local_seconds(dst_start, year) - std_offset;
  int64_t end = rule_local_seconds(dst_end, year) - *dst_offset;
  bool dst = start < end ? (utc_seconds >= start && utc_seconds < end)
                         : (utc_seconds < end || utc_seconds >= start);  // southern hemisphere
  return dst ? *dst_offset : std_offset;
}

TimeZone::TimeZone(std::string name, const std::string& content) : name_(std::move(name)) {
  Reader in(content, name_);
  Counts v1 = read_header(in, content, name_);
  if (content.size() < 5 || content[4] < '2') {
    throw TimeZoneError("time zone " + name_ +
                        ": a version 1 TZif file without 64-bit data; update the tzdata package");
  }
  in.skip(v1.time * 5 + v1.type * 6 + v1.chars + v1.leap * 8 + v1.isstd + v1.isut);
  Counts counts = read_header(in, content, name_);
  for (uint64_t i = 0; i < counts.time; ++i)
    transitions_.push_back(static_cast<int64_t>(in.big_endian(8)));
  for (uint64_t i = 0; i < counts.time; ++i) {
    transition_type_.push_back(static_cast<uint8_t>(in.big_endian(1)));
    if (transition_type_.back() >= counts.type) {
      throw TimeZoneError("time zone " + name_ + ": a transition names an unknown time type");
    }
  }
  for (uint64_t i = 0; i < counts.type; ++i) {
    offsets_.push_back(static_cast<int32_t>(static_cast<uint32_t>(in.big_endian(4))));
    in.skip(2);  // isdst, abbreviation index
  }
  in.skip(counts.chars + counts.leap * 12 + counts.isstd + counts.isut);
  size_t open = in.at();
  if (open < content.size() && content[open] == '\n') {
    size_t close = content.find('\n', open + 1);
    std::string footer =
        content.substr(open + 1, close == std::string::npos ? 0 : close - open - 1);
    if (!footer.empty()) {
      try {
        footer_ = parse_posix_tz(footer);
      } catch (const TimeZoneError& e) {
        throw TimeZoneError("time zone " + name_ + ": footer '" + footer + "': " + e.what());
      }
    }
  }
}

int64_t TimeZone::offset_at(int64_t utc_seconds) const {
  if (transitions_.empty() || utc_seconds < transitions_.front()) {
    if (transitions_.empty() && footer_) return footer_->offset_at(utc_seconds);
    return offsets_.front();
  }
  if (utc_seconds >= transitions_.back() && footer_) return footer_->offset_at(utc_seconds);
  auto after = std::upper_bound(transitions_.begin(), transitions_.end(), utc_seconds);
  return offsets_[transition_type_[static_cast<size_t>(after - transitions_.begin()) - 1]];
}

std::shared_ptr<const TimeZone> load_time_zone(const std::string& name,
                                               const std::string& zoneinfo_dir) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const TimeZone>> cache;
  bool tame = !name.empty() && name.front() != '/' && name.find("..") == std::string::npos &&
              std::all_of(name.begin(), name.end(), [](char c) {
                return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' ||
                       c == '-' || c == '+';
              });
  if (!tame) {
    throw TimeZoneError("'" + name + "' is not an IANA time zone name; write one such as " +
                        "Europe/Berlin or America/New_York");
  }
  std::string path = (std::filesystem::path(zoneinfo_dir) / name).string();
  std::lock_guard lock(mutex);
  if (auto found = cache.find(path); found != cache.end()) return found->second;
  std::error_code error;
  auto content =
      std::filesystem::is_regular_file(path, error) ? read_whole_file(path) : std::nullopt;
  if (!content) {
    throw TimeZoneError("unknown time zone '" + name + "' (no file " + path +
                        "); write an IANA name such as Europe/Berlin, and install the tzdata "
                        "package if " +
                        zoneinfo_dir + " is empty");
  }
  auto zone = std::make_shared<const TimeZone>(name, *content);
  cache.emplace(path, zone);
  return zone;
}

}  // namespace cdcwatch
