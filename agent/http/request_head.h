// The head of an HTTP/1.x request (RFC 9112 sections 2-3 and 9.3): request line, header fields,
// and whether the connection stays open afterwards. The endpoint server reads the head itself
// under a total deadline; this is the pure parsing part. Endpoints take no request body.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace cdcwatch {

struct RequestHead {
  std::string method;
  std::string path;                           // the target without its query string
  std::map<std::string, std::string> fields;  // names lower-cased; a repeated name keeps the last
  bool keep_alive = false;
  size_t length = 0;  // bytes of the head, up to and including the blank line

  std::string field(const std::string& lower_name) const;
};

struct HeadParse {
  std::optional<RequestHead> head;  // set when the head is complete and acceptable
  int refusal_status = 0;           // else 400, 413 (a body) or 431 (head too large)
  bool complete = false;            // false: wait for more bytes (refusal_status is 0)
};

// `buffer` holds the bytes received so far on the connection.
HeadParse parse_request_head(std::string_view buffer, size_t max_head_bytes);

}  // namespace cdcwatch
