#include "probes/consistency/consistency_probe.h"

#include <algorithm>
#include <cctype>
#include <chrono>

#include "agent/core/text_case.h"
#include "agent/core/text_split.h"

namespace cdcwatch {
namespace {

const MetricDef kDrift{
    "cdcwatch_schema_drift",
    "1 per drifted column, by kind: missing_in_target, extra_in_target, type_mismatch, "
    "nullability_mismatch"};
const MetricDef kDriftColumns{"cdcwatch_schema_drift_columns",
                              "Columns that differ between source and warehouse"};
const MetricDef kDuplicates{
    "cdcwatch_warehouse_duplicate_keys",
    "Keys with more than one row in the warehouse table (within the window)"};
const MetricDef kSourceRows{"cdcwatch_reconcile_source_rows", "Source rows in the settled window"};
const MetricDef kTargetRows{"cdcwatch_reconcile_target_rows",
                            "Warehouse rows in the settled window"};
const MetricDef kRatio{"cdcwatch_reconcile_difference_ratio",
                       "|warehouse rows - source rows| / source rows, in the settled window"};
const MetricDef kQuerySeconds{"cdcwatch_consistency_query_seconds",
                              "Time the table's check queries took on each side in the last run"};

std::string key_list(const std::vector<std::string>& key) {
  std::string out;
  for (const auto& column : key) out += (out.empty() ? "" : ", ") + column;
  return out;
}

}  // namespace

ConsistencyProbe::ConsistencyProbe(ConsistencyConfig config, std::unique_ptr<SqlSide> source,
                                   std::unique_ptr<SqlSide> target)
    : config_(std::move(config)), source_(std::move(source)), target_(std::move(target)) {}

Millis ConsistencyProbe::timeout() const {
  return config_.statement_timeout * static_cast<int64_t>(6 * config_.tables.size()) + Millis(5000);
}

void ConsistencyProbe::stop() {
  source_->cancel();
  target_->cancel();
}

SqlRows ConsistencyProbe::timed(Side& side, const std::string& sql,
                                const std::vector<std::string>& params, const CollectContext& ctx) {
  auto started = std::chrono::steady_clock::now();
  auto deadline =
      std::min(ctx.deadline, ctx.clock.now() + config_.statement_timeout + Millis(2000));
  SqlRows rows = side.sql->query(sql, params, deadline, ctx.clock);
  side.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return rows;
}

std::optional<std::vector<ColumnInfo>> ConsistencyProbe::columns(Side& side,
                                                                 const std::string& table,
                                                                 const CollectContext& ctx,
                                                                 std::string& error) {
  auto parts = split(table, '.');
  std::string sql;
  std::vector<std::string> params;
  if (side.sql->dialect() == Dialect::kSnowflake) {
    if (parts.size() != 3) {
      error = "warehouse table " + table + ": name it DATABASE.SCHEMA.TABLE";
      return std::nullopt;
    }
    sql = "SELECT COLUMN_NAME, DATA_TYPE, IS_NULLABLE, NUMERIC_SCALE FROM " + parts[0] +
          ".INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY "
          "ORDINAL_POSITION";
    params = {ascii_upper(parts[1]), ascii_upper(parts[2])};
  } else {
    sql =
        "SELECT column_name, data_type, is_nullable, numeric_scale FROM information_schema.columns "
        "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position";
    params = {parts.size() == 1 ? "public" : parts[parts.size() - 2], parts.back()};
  }
  SqlRows rows = timed(side, sql, params, ctx);
  if (!rows.ok()) {
    error = std::string(side.label) + " columns of " + table + ": " + rows.error_message;
    return std::nullopt;
  }
  if (rows.rows.empty()) {
    error = std::string(side.label) + " table " + table +
            " not found (or not visible to cdcwatch's role)";
    return std::nullopt;
  }
  std::vector<ColumnInfo> out;
  for (const auto& row : rows.rows) {
    if (row.size() < 4 || !row[0] || !row[1]) continue;
    std::optional<int> scale;
    if (row[3]) {
      try {
        scale = std::stoi(*row[3]);
      } catch (const std::exception&) {
      }
    }
    out.push_back({*row[0], *row[1], row[2].value_or("YES") == "YES", scale});
  }
  return out;
}

std::string ConsistencyProbe::window_filter(const SqlSide& side,
                                            const TableCheckConfig& table) const {
  if (!table.updated_at) return "";
  const std::string& column = *table.updated_at;
  if (side.dialect() == Dialect::kSnowflake) {
    return " WHERE TO_TIMESTAMP_TZ(" + column + ") >= TO_TIMESTAMP_TZ(?) AND TO_TIMESTAMP_TZ(" +
           column + ") < TO_TIMESTAMP_TZ(?)";
  }
  // A JDBC sink may keep Debezium's ISO string: the cast reads a timestamp and a string alike.
  return " WHERE " + column + "::timestamptz >= ?::timestamptz AND " + column +
         "::timestamptz < ?::timestamptz";
}

std::optional<double> ConsistencyProbe::count(Side& side, const std::string& sql,
                                              const std::vector<std::string>& params,
                                              const CollectContext& ctx, std::string& error) {
  SqlRows rows = timed(side, sql, params, ctx);
  if (!rows.ok()) {
    error = std::string(side.label) + ": " + rows.error_message;
    return std::nullopt;
  }
  if (rows.rows.empty() || rows.rows[0].empty() || !rows.rows[0][0]) {
    error = std::string(side.label) + ": a count query answered no number";
    return std::nullopt;
  }
  try {
    return std::stod(*rows.rows[0][0]);
  } catch (const std::exception&) {
    error = std::string(side.label) + ": a count query answered '" + *rows.rows[0][0] + "'";
    return std::nullopt;
  }
}

void ConsistencyProbe::check_table(const TableCheckConfig& table, const CollectContext& ctx,
                                   CollectOutcome& outcome) {
  // warehouse and warehouse_table place the check's alerts on the pipeline that loads the copy.
  Labels labels = {{"check", config_.name},
                   {"table", table.source},
                   {"warehouse", config_.warehouse},
                   {"warehouse_table", table.target}};
  Side source{source_.get(), "source"}, target{target_.get(), "target"};
  nlohmann::json status = nlohmann::json::object();
  std::vector<std::string> errors;
  TimePoint to = ctx.clock.now() - config_.settle;
  std::vector<std::string> window;
  if (table.updated_at) window = {format_timestamp(to - table.window), format_timestamp(to)};

  if (table.checks.count("schema")) {
    std::string error;
    auto from = columns(source, table.source, ctx, error);
    auto into = from ? columns(target, table.target, ctx, error) : std::nullopt;
    if (from && into) {
      auto drifts = compare_columns(*from, *into);
      nlohmann::json shown = nlohmann::json::array();
      std::set<std::string> drifted;
      for (const auto& drift : drifts) {
        Labels with = labels;
        with.emplace_back("column", drift.column);
        with.emplace_back("kind", drift.kind);
        outcome.readings.set(kDrift, with, 1);
        drifted.insert(drift.column);
        shown.push_back({{"column", drift.column}, {"kind", drift.kind}, {"detail", drift.detail}});
      }
      outcome.readings.set(kDriftColumns, labels, static_cast<double>(drifted.size()));
      status["schema_drift"] = shown;
    } else {
      errors.push_back("schema: " + error);
    }
  }
  if (table.checks.count("duplicates")) {
    std::string error;
    std::string keys = key_list(table.key);
    auto duplicates =
        count(target,
              "SELECT count(*) FROM (SELECT " + keys + " FROM " + table.target +
                  window_filter(*target_, table) + " GROUP BY " + keys + " HAVING count(*) > 1) d",
              window, ctx, error);
    if (duplicates) {
      outcome.readings.set(kDuplicates, labels, *duplicates);
      status["duplicate_keys"] = *duplicates;
    } else {
      errors.push_back("duplicates: " + error);
    }
  }
  if (table.checks.count("row_count")) {
    std::string error;
    auto at_source =
        count(source, "SELECT count(*) FROM " + table.source + window_filter(*source_, table),
              window, ctx, error);
    auto at_target =
        at_source
            ? count(target, "SELECT count(*) FROM " + table.target + window_filter(*target_, table),
                    window, ctx, error)
            : std::nullopt;
    if (at_source && at_target) {
      double ratio = std::abs(*at_target - *at_source) / std::max(1.0, *at_source);
      outcome.readings.set(kSourceRows, labels, *at_source);
      outcome.readings.set(kTargetRows, labels, *at_target);
      outcome.readings.set(kRatio, labels, ratio);
      status["rows"] = {
          {"source", *at_source}, {"target", *at_target}, {"difference_ratio", ratio}};
      if (table.updated_at) status["rows"]["window"] = window;
    } else {
      errors.push_back("row_count: " + error);
    }
  }
  for (Side* side : {&source, &target}) {
    Labels with = labels;
    with.emplace_back("side", side->label);
    outcome.readings.set(kQuerySeconds, with, side->seconds);
  }
  if (!errors.empty()) {
    status["errors"] = errors;
    if (outcome.ok())
      outcome.fail("query", "consistency " + config_.name + ", table " + table.source + ": " +
                                errors.front());
  }
  outcome.status["tables"][table.source] = status;
}

CollectOutcome ConsistencyProbe::collect(const CollectContext& ctx) {
  CollectOutcome outcome;
  outcome.status = {{"tables", nlohmann::json::object()},
                    {"settle", format_duration(config_.settle)}};
  for (const auto& table : config_.tables) check_table(table, ctx, outcome);
  return outcome;
}

}  // namespace cdcwatch
