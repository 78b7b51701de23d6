// Type families for comparing a source column with its warehouse copy, following what Debezium's
// PostgreSQL connector emits and what the Snowflake sink (schematization) or a JDBC sink creates
// from it: e.g. timestamptz arrives as Debezium's ZonedTimestamp string, so a VARCHAR target is
// compatible; a plain timestamp arrives as MicroTimestamp (int64), so NUMBER is too. The table
// is in probes/consistency/README.md.
#pragma once

#include <optional>
#include <set>
#include <string>

namespace cdcwatch {

// "integer", "numeric", "float", "boolean", "text", "date", "time", "timestamp", "timestamptz",
// "json", "binary", or the lowercased type itself when unknown. `scale` tells NUMBER(38,0) apart.
std::string type_family(const std::string& data_type, std::optional<int> scale);

// The target families a source family may legitimately become.
std::set<std::string> compatible_target_families(const std::string& source_family);

}  // namespace cdcwatch
