#include "probes/pgconn/dsn_redaction.h"

#include <vector>

#include "agent/core/secrets.h"

namespace cdcwatch {
namespace {

struct Span {
  size_t begin;
  size_t end;
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Values of `password` keywords in key=value form: 'quoted with \' escapes' or up to a space.
// A stray word after an unquoted value (password=two words) is the rest of the password as the
// user meant it, so the span runs to the next `key=`.
std::vector<Span> keyword_passwords(std::string_view dsn) {
  std::vector<Span> spans;
  for (size_t at = dsn.find("password"); at != std::string_view::npos;
       at = dsn.find("password", at + 1)) {
    if (at > 0 && !is_space(dsn[at - 1])) continue;
    size_t pos = at + 8;
    while (pos < dsn.size() && is_space(dsn[pos])) ++pos;
    if (pos >= dsn.size() || dsn[pos] != '=') continue;
    ++pos;
    while (pos < dsn.size() && is_space(dsn[pos])) ++pos;
    size_t begin = pos;
    if (pos < dsn.size() && dsn[pos] == '\'') {
      for (++pos; pos < dsn.size() && dsn[pos] != '\''; ++pos) {
        if (dsn[pos] == '\\') ++pos;
      }
      spans.push_back({begin, std::min(pos + 1, dsn.size())});
      continue;
    }
    size_t end = begin;
    for (size_t cursor = begin; cursor < dsn.size();) {
      size_t word = cursor;
      while (word < dsn.size() && is_space(dsn[word])) ++word;
      size_t word_end = word;
      while (word_end < dsn.size() && !is_space(dsn[word_end])) ++word_end;
      bool next_keyword = dsn.substr(word, word_end - word).find('=') != std::string_view::npos;
      if (word == word_end || (word != begin && next_keyword)) break;
      end = cursor = word_end;
    }
    spans.push_back({begin, end});
  }
  return spans;
}

// postgres://user:password@host/db?password=...
std::vector<Span> uri_passwords(std::string_view dsn) {
  std::vector<Span> spans;
  size_t scheme = dsn.find("://");
  if (scheme == std::string_view::npos) return spans;
  size_t authority = scheme + 3;
  size_t at = dsn.find('@', authority);
  size_t slash = dsn.find_first_of("/?", authority);
  if (at != std::string_view::npos && (slash == std::string_view::npos || at < slash)) {
    size_t colon = dsn.find(':', authority);
    if (colon != std::string_view::npos && colon < at) spans.push_back({colon + 1, at});
  }
  for (size_t key = dsn.find("password=", authority); key != std::string_view::npos;
       key = dsn.find("password=", key + 1)) {
    if (dsn[key - 1] != '?' && dsn[key - 1] != '&') continue;
    size_t begin = key + 9;
    size_t end = std::min(dsn.find('&', begin), dsn.size());
    spans.push_back({begin, end});
  }
  return spans;
}

std::vector<Span> password_spans(std::string_view dsn) {
  return dsn.find("://") != std::string_view::npos ? uri_passwords(dsn) : keyword_passwords(dsn);
}

}  // namespace

std::string redact_dsn(std::string_view dsn) {
  std::string out;
  size_t pos = 0;
  for (const Span& span : password_spans(dsn)) {
    if (span.begin < pos) continue;
    out.append(dsn.substr(pos, span.begin - pos));
    if (span.end > span.begin) out.append(kRedacted);
    pos = span.end;
  }
  out.append(dsn.substr(pos));
  return out;
}

void remember_dsn_passwords(std::string_view dsn) {
  for (const Span& span : password_spans(dsn)) {
    std::string_view value = dsn.substr(span.begin, span.end - span.begin);
    if (value.size() >= 2 && value.front() == '\'' && value.back() == '\'') {
      value = value.substr(1, value.size() - 2);
    }
    remember_secret(value);
  }
}

}  // namespace cdcwatch
