#include "probes/sink_truth/sink_queries.h"

#include <cctype>
#include <charconv>
#include <ctime>
#include <nlohmann/json.hpp>

namespace cdcwatch {
namespace {

std::optional<size_t> column(const SqlRows& rows, const std::string& name) {
  for (size_t i = 0; i < rows.columns.size(); ++i) {
    std::string lower = rows.columns[i];
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == name) return i;
  }
  return std::nullopt;
}

std::optional<int64_t> kafka_offset(const std::optional<std::string>& cell) {
  if (!cell || cell->empty()) return std::nullopt;
  int64_t value = 0;
  auto [end, error] = std::from_chars(cell->data(), cell->data() + cell->size(), value);
  if (error != std::errc() || end != cell->data() + cell->size() || value < 0) return std::nullopt;
  return value;
}

}  // namespace

std::string show_channels_statement(const std::string& schema) {
  return "SHOW CHANNELS IN SCHEMA " + schema;
}

std::string pipe_status_statement(size_t pipes) {
  std::string statement = "SELECT ";
  for (size_t i = 0; i < pipes; ++i)
    statement += (i ? ", " : "") + std::string("SYSTEM$PIPE_STATUS(?)");
  return statement;
}

ChannelsAnswer read_channels(const SqlRows& rows, const std::string& connector,
                             const std::vector<std::string>& topics) {
  ChannelsAnswer out;
  auto name = column(rows, "name"), token = column(rows, "offset_token");
  if (!name || !token) {
    out.error = std::string("SHOW CHANNELS answered without a '") +
                (name ? "offset_token" : "name") + "' column; is the statement reaching Snowflake?";
    return out;
  }
  for (const auto& row : rows.rows) {
    if (row.size() <= std::max(*name, *token) || !row[*name]) {
      out.error = "SHOW CHANNELS answered a row without the name or offset_token column";
      return out;
    }
    if (auto partition = channel_partition(*row[*name], connector, topics)) {
      out.tokens[*partition] = kafka_offset(row[*token]);
    }
  }
  return out;
}

std::optional<double> parse_iso8601(const std::string& text) {
  std::tm tm{};
  int year = 0, month = 0, day = 0, hour = 0, minute = 0;
  double second = 0;
  char tail[16] = {0};
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%lf%15s", &year, &month, &day, &hour, &minute,
                  &second, tail) < 6) {
    return std::nullopt;
  }
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  double seconds = static_cast<double>(timegm(&tm)) + second;
  std::string zone = tail;
  if (zone.empty() || zone == "Z") return seconds;
  int zone_hours = 0, zone_minutes = 0;
  char sign = zone[0];
  if ((sign != '+' && sign != '-') ||
      std::sscanf(zone.c_str() + 1, "%2d:%2d", &zone_hours, &zone_minutes) != 2) {
    return std::nullopt;
  }
  double offset = zone_hours * 3600.0 + zone_minutes * 60.0;
  return sign == '+' ? seconds - offset : seconds + offset;
}

PipesAnswer read_pipe_statuses(const SqlRows& rows, const std::vector<std::string>& pipes) {
  PipesAnswer out;
  if (rows.rows.size() != 1 || rows.rows[0].size() != pipes.size()) {
    out.error = "SYSTEM$PIPE_STATUS answered " + std::to_string(rows.rows.size()) +
                " rows, expected one row of " + std::to_string(pipes.size()) + " columns";
    return out;
  }
  for (size_t i = 0; i < pipes.size(); ++i) {
    const auto& cell = rows.rows[0][i];
    auto status = nlohmann::json::parse(cell.value_or(""), nullptr, false);
    if (!status.is_object() || !status.contains("executionState") ||
        !status["executionState"].is_string()) {
      out.error = "SYSTEM$PIPE_STATUS('" + pipes[i] +
                  "') answered no JSON object with executionState; does the role have MONITOR "
                  "on the pipe?";
      return out;
    }
    PipeStatus pipe;
    pipe.execution_state = status["executionState"].get<std::string>();
    if (status.contains("pendingFileCount") && status["pendingFileCount"].is_number_integer())
      pipe.pending_files = status["pendingFileCount"].get<int64_t>();
    if (status.contains("lastIngestedTimestamp") && status["lastIngestedTimestamp"].is_string())
      pipe.last_ingest_seconds = parse_iso8601(status["lastIngestedTimestamp"].get<std::string>());
    out.pipes[pipes[i]] = pipe;
  }
  return out;
}

}  // namespace cdcwatch
