#include "probes/consistency/schema_compare.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "agent/core/text_case.h"
#include "probes/consistency/column_types.h"

namespace cdcwatch {
namespace {

bool sink_metadata(const std::string& column) {
  static const std::set<std::string> names = {"record_metadata", "record_content"};
  return names.count(column) || column.rfind("__", 0) == 0;  // __deleted, __op, __source_ts_ms, ...
}

}  // namespace

std::vector<Drift> compare_columns(const std::vector<ColumnInfo>& source,
                                   const std::vector<ColumnInfo>& target) {
  std::map<std::string, const ColumnInfo*> by_name;
  for (const auto& column : target) by_name[ascii_lower(column.name)] = &column;
  std::vector<Drift> drifts;
  std::set<std::string> seen;
  for (const auto& column : source) {
    std::string name = ascii_lower(column.name);
    seen.insert(name);
    auto it = by_name.find(name);
    if (it == by_name.end()) {
      drifts.push_back(
          {name, "missing_in_target", "source " + column.data_type + " has no target column"});
      continue;
    }
    const ColumnInfo& copy = *it->second;
    std::string from = type_family(column.data_type, column.scale);
    std::string to = type_family(copy.data_type, copy.scale);
    if (!compatible_target_families(from).count(to)) {
      drifts.push_back({name, "type_mismatch",
                        "source " + column.data_type + " (" + from + "), target " + copy.data_type +
                            " (" + to + ")"});
    }
    if (column.nullable != copy.nullable) {
      drifts.push_back({name, "nullability_mismatch",
                        std::string("source ") + (column.nullable ? "nullable" : "NOT NULL") +
                            ", target " + (copy.nullable ? "nullable" : "NOT NULL")});
    }
  }
  for (const auto& column : target) {
    std::string name = ascii_lower(column.name);
    if (!seen.count(name) && !sink_metadata(name)) {
      drifts.push_back(
          {name, "extra_in_target", "target " + column.data_type + " is not in the source"});
    }
  }
  return drifts;
}

}  // namespace cdcwatch
