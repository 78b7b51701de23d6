// The POSIX TZ string of a TZif footer: std offset [dst [offset] [,start[/time],end[/time]]].
// Offsets are written west-positive ("EST5" is UTC-5); RFC 8536 section 3.3 lets the rule times
// run from -167 to 167 hours.
#include <cctype>
#include <string>

#include "agent/silences/time_zone.h"

namespace cdcwatch {
namespace {

class TzParser {
 public:
  explicit TzParser(const std::string& text) : text_(text) {}

  PosixTimeZone parse() {
    PosixTimeZone zone;
    name();
    zone.std_offset = -signed_time("the standard offset");
    if (done()) return zone;
    name();
    zone.dst_offset = zone.std_offset + 3600;
    if (!done() && peek() != ',') zone.dst_offset = -signed_time("the daylight offset");
    if (done()) {
      // No rules written: POSIX leaves them to the implementation; the US rules, as glibc does.
      zone.dst_start = {PosixTimeZone::Rule::Kind::kMonthWeekDay, 0, 2, 3, 7200};
      zone.dst_end = {PosixTimeZone::Rule::Kind::kMonthWeekDay, 0, 1, 11, 7200};
      return zone;
    }
    expect(',');
    zone.dst_start = rule();
    expect(',');
    zone.dst_end = rule();
    if (!done()) fail("unexpected text after the rules");
    return zone;
  }

 private:
  bool done() const { return at_ >= text_.size(); }
  char peek() const { return done() ? '\0' : text_[at_]; }
  [[noreturn]] void fail(const std::string& what) const {
    throw TimeZoneError(what + " at position " + std::to_string(at_));
  }
  void expect(char c) {
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++at_;
  }

  void name() {
    if (peek() == '<') {
      size_t close = text_.find('>', at_);
      if (close == std::string::npos) fail("an unclosed '<' in a zone name");
      at_ = close + 1;
      return;
    }
    size_t begin = at_;
    while (std::isalpha(static_cast<unsigned char>(peek()))) ++at_;
    if (at_ - begin < 3) fail("a zone name of at least three letters");
  }

  int number(int max) {
    if (!std::isdigit(static_cast<unsigned char>(peek()))) fail("expected a number");
    int value = 0;
    while (std::isdigit(static_cast<unsigned char>(peek()))) {
      value = value * 10 + (text_[at_++] - '0');
      if (value > max) fail("a number above " + std::to_string(max));
    }
    return value;
  }

  // [+-]hh[:mm[:ss]] in seconds.
  int64_t signed_time(const char* what) {
    int sign = 1;
    if (peek() == '+' || peek() == '-') sign = text_[at_++] == '-' ? -1 : 1;
    if (!std::isdigit(static_cast<unsigned char>(peek()))) fail(std::string("expected ") + what);
    int64_t seconds = int64_t{number(167)} * 3600;
    if (peek() == ':') {
      ++at_;
      seconds += number(59) * 60;
      if (peek() == ':') {
        ++at_;
        seconds += number(59);
      }
    }
    return sign * seconds;
  }

  PosixTimeZone::Rule rule() {
    using Kind = PosixTimeZone::Rule::Kind;
    PosixTimeZone::Rule rule;
    if (peek() == 'J') {
      ++at_;
      rule.kind = Kind::kJulianNoLeap;
      rule.day = number(365);
      if (rule.day < 1) fail("Jn counts days from 1");
    } else if (peek() == 'M') {
      ++at_;
      rule.kind = Kind::kMonthWeekDay;
      rule.month = number(12);
      expect('.');
      rule.week = number(5);
      expect('.');
      rule.day = number(6);
      if (rule.month < 1 || rule.week < 1) fail("Mm.w.d needs a month 1-12 and a week 1-5");
    } else {
      rule.kind = Kind::kZeroBasedDay;
      rule.day = number(365);
    }
    if (peek() == '/') {
      ++at_;
      rule.time = signed_time("a rule time");
    }
    return rule;
  }

  const std::string& text_;
  size_t at_ = 0;
};

}  // namespace

PosixTimeZone parse_posix_tz(const std::string& text) { return TzParser(text).parse(); }

}  // namespace cdcwatch
