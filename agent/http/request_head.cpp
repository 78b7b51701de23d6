#include "agent/http/request_head.h"

#include "agent/core/text_case.h"

namespace cdcwatch {
namespace {

constexpr std::string_view kEndOfHead = "\r\n\r\n";

HeadParse refuse(int status) { return {std::nullopt, status, true}; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// "GET /metrics?x=1 HTTP/1.1" into method, path and minor version; false when malformed.
bool parse_request_line(std::string_view line, RequestHead& head, char& minor_version) {
  size_t first = line.find(' ');
  size_t second = line.find(' ', first + 1);
  if (first == std::string_view::npos || second == std::string_view::npos || first == 0) {
    return false;
  }
  std::string_view target = line.substr(first + 1, second - first - 1);
  std::string_view version = line.substr(second + 1);
  if (target.empty() || target.front() != '/' || version.size() != 8 ||
      !version.starts_with("HTTP/1.")) {
    return false;
  }
  head.method = std::string(line.substr(0, first));
  head.path = std::string(target.substr(0, target.find('?')));
  minor_version = version.back();
  return true;
}

}  // namespace

std::string RequestHead::field(const std::string& lower_name) const {
  auto it = fields.find(lower_name);
  return it == fields.end() ? "" : it->second;
}

HeadParse parse_request_head(std::string_view buffer, size_t max_head_bytes) {
  size_t end = buffer.find(kEndOfHead);
  if (end == std::string_view::npos || end + kEndOfHead.size() > max_head_bytes) {
    return buffer.size() >= max_head_bytes ? refuse(431) : HeadParse{};
  }
  RequestHead head;
  head.length = end + kEndOfHead.size();
  std::string_view rest = buffer.substr(0, end + 2);
  size_t line_end = rest.find("\r\n");
  char minor_version = 0;
  if (!parse_request_line(rest.substr(0, line_end), head, minor_version)) return refuse(400);
  for (rest.remove_prefix(line_end + 2); !rest.empty(); rest.remove_prefix(line_end + 2)) {
    line_end = rest.find("\r\n");
    std::string_view line = rest.substr(0, line_end);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0 || line.front() == ' ' ||
        line.front() == '\t') {
      return refuse(400);  // no folded lines (RFC 9112 section 5.2)
    }
    head.fields[ascii_lower(std::string(line.substr(0, colon)))] =
        std::string(trim(line.substr(colon + 1)));
  }
  std::string content_length = head.field("content-length");
  if (!head.field("transfer-encoding").empty() ||
      (!content_length.empty() && content_length != "0")) {
    return refuse(413);
  }
  std::string connection = ascii_lower(head.field("connection"));
  head.keep_alive = minor_version == '1' ? connection.find("close") == std::string::npos
                                         : connection.find("keep-alive") != std::string::npos;
  return {std::move(head), 0, true};
}

}  // namespace cdcwatch
