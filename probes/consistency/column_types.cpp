#include "probes/consistency/column_types.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "agent/core/text_case.h"

namespace cdcwatch {

std::string type_family(const std::string& data_type, std::optional<int> scale) {
  std::string t = ascii_lower(data_type);
  static const std::map<std::string, std::string> families = {
      {"smallint", "integer"},
      {"integer", "integer"},
      {"bigint", "integer"},
      {"int", "integer"},
      {"int2", "integer"},
      {"int4", "integer"},
      {"int8", "integer"},
      {"real", "float"},
      {"double precision", "float"},
      {"float", "float"},
      {"float4", "float"},
      {"float8", "float"},
      {"double", "float"},
      {"boolean", "boolean"},
      {"bool", "boolean"},
      {"text", "text"},
      {"character varying", "text"},
      {"varchar", "text"},
      {"character", "text"},
      {"char", "text"},
      {"string", "text"},
      {"uuid", "text"},
      {"citext", "text"},
      {"user-defined", "text"},
      {"date", "date"},
      {"time without time zone", "time"},
      {"time with time zone", "time"},
      {"time", "time"},
      {"timestamp without time zone", "timestamp"},
      {"timestamp_ntz", "timestamp"},
      {"datetime", "timestamp"},
      {"timestamp with time zone", "timestamptz"},
      {"timestamp_tz", "timestamptz"},
      {"timestamp_ltz", "timestamptz"},
      {"json", "json"},
      {"jsonb", "json"},
      {"variant", "json"},
      {"object", "json"},
      {"array", "json"},
      {"bytea", "binary"},
      {"binary", "binary"},
      {"varbinary", "binary"}};
  if (t == "numeric" || t == "decimal" || t == "number" || t == "fixed") {
    return scale.value_or(1) == 0 ? "integer" : "numeric";
  }
  auto it = families.find(t);
  return it == families.end() ? t : it->second;
}

std::set<std::string> compatible_target_families(const std::string& source_family) {
  static const std::map<std::string, std::set<std::string>> compatible = {
      {"integer", {"integer", "numeric"}},
      {"numeric",
       {"numeric", "integer", "text", "float"}},  // decimal.handling.mode precise/string/double
      {"float", {"float", "numeric"}},
      {"boolean", {"boolean"}},
      {"text", {"text"}},
      {"date", {"date", "integer"}},  // io.debezium.time.Date: days since epoch
      {"time", {"time", "integer"}},  // MicroTime
      {"timestamp", {"timestamp", "timestamptz", "integer"}},  // MicroTimestamp
      {"timestamptz", {"timestamptz", "timestamp", "text"}},   // ZonedTimestamp: an ISO-8601 string
      {"json", {"json", "text"}},
      {"binary", {"binary", "text"}}};
  auto it = compatible.find(source_family);
  return it == compatible.end() ? std::set<std::string>{source_family} : it->second;
}

}  // namespace cdcwatch
