// Rows of text cells from a warehouse query, whichever protocol answered it.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace cdcwatch {

struct SqlRows {
  std::vector<std::vector<std::optional<std::string>>> rows;  // nullopt for SQL NULL
  std::string error_reason;   // empty on success: auth, query, http, timeout, response, config
  std::string error_message;  // what, where, what to do; never a secret
  // Column names as the answer's metadata gives them (Snowflake: resultSetMetaData.rowType), for
  // statements whose columns are found by name (SHOW output); empty when not given.
  std::vector<std::string> columns;
  bool ok() const { return error_reason.empty(); }
};

}  // namespace cdcwatch
