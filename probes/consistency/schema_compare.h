// Schema drift between a source table and its warehouse copy: columns matched by name
// case-insensitively (Snowflake uppercases), then type family and nullability compared.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace cdcwatch {

struct ColumnInfo {
  std::string name;
  std::string data_type;
  bool nullable = true;
  std::optional<int> scale;
};

struct Drift {
  std::string column;  // lowercased
  std::string kind;    // missing_in_target, extra_in_target, type_mismatch, nullability_mismatch
  std::string detail;
};

// Target columns a sink adds (Snowflake connector metadata, Debezium's unwrap fields) are not
// extra_in_target.
std::vector<Drift> compare_columns(const std::vector<ColumnInfo>& source,
                                   const std::vector<ColumnInfo>& target);

}  // namespace cdcwatch
