#include "probes/pg_slots/pg_slots_probe.h"

#include <cstdlib>

namespace cdcwatch {
namespace {

// One statement per cycle: the server's WAL position (the receive position on a standby) and
// every logical slot, with byte distances computed server-side by pg_wal_lsn_diff. The LEFT JOIN
// keeps one row when there are no slots, so the WAL position is always read.
// Needs pg_monitor (or superuser) for pg_current_wal_lsn and pg_replication_slots.
constexpr const char* kSlotsQuery = R"sql(
WITH pos AS (
  SELECT pg_is_in_recovery() AS standby,
         CASE WHEN pg_is_in_recovery() THEN pg_last_wal_receive_lsn()
              ELSE pg_current_wal_lsn() END AS lsn
)
SELECT pos.standby,
       pg_wal_lsn_diff(pos.lsn, '0/0') AS wal_lsn_bytes,
       s.slot_name, s.plugin, s.database, s.active, s.wal_status,
       pg_wal_lsn_diff(pos.lsn, s.restart_lsn) AS retained_bytes,
       pg_wal_lsn_diff(pos.lsn, s.confirmed_flush_lsn) AS flush_lag_bytes,
       pg_wal_lsn_diff(s.confirmed_flush_lsn, '0/0') AS confirmed_flush_bytes,
       s.safe_wal_size,
       age(s.catalog_xmin) AS catalog_xmin_age
FROM pos
LEFT JOIN pg_replication_slots s
  ON s.slot_type = 'logical'
 AND (cardinality($1::text[]) = 0 OR s.slot_name = ANY($1::text[]))
ORDER BY s.slot_name
)sql";

const MetricDef kUp{"cdcwatch_pg_up", "1 when the source answered the slot query, 0 when not"};
const MetricDef kInRecovery{"cdcwatch_pg_in_recovery", "1 when the source is a standby"};
const MetricDef kWalLsn{
    "cdcwatch_pg_wal_lsn_bytes",
    "The server's current WAL position (receive position on a standby), in bytes"};
const MetricDef kActive{
    "cdcwatch_pg_slot_active",
    "1 while a replication connection holds the slot (labels plugin, database)"};
const MetricDef kInactiveSeconds{
    "cdcwatch_pg_slot_inactive_seconds",
    "Seconds the agent has seen the slot without a consumer; 0 while active"};
const MetricDef kRetained{"cdcwatch_pg_slot_retained_wal_bytes",
                          "WAL the slot holds back: current LSN - restart_lsn"};
const MetricDef kFlushLagBytes{
    "cdcwatch_pg_slot_confirmed_flush_lag_bytes",
    "Current LSN - confirmed_flush_lsn: WAL the consumer has not confirmed"};
const MetricDef kFlushLagSeconds{
    "cdcwatch_pg_slot_confirmed_flush_lag_seconds",
    "How long ago the server's WAL position was where the slot's confirmed flush is now"};
const MetricDef kSafeWalSize{
    "cdcwatch_pg_slot_safe_wal_size_bytes",
    "WAL that can still be written before the slot is at risk (absent when unlimited)"};
const MetricDef kWalStatus{
    "cdcwatch_pg_slot_wal_status",
    "1 on the slot's current wal_status: reserved, extended, unreserved or lost"};
const MetricDef kCatalogXminAge{"cdcwatch_pg_slot_catalog_xmin_age",
                                "Transactions the slot's catalog_xmin holds back vacuum"};
const MetricDef kGrowth{"cdcwatch_pg_slot_retained_wal_growth_bytes_per_second",
                        "Growth of retained WAL over the sliding window (least-squares slope)"};
const MetricDef kExhaustion{"cdcwatch_pg_slot_wal_exhaustion_seconds",
                            "At the current growth, seconds until safe_wal_size reaches zero or "
                            "wal_budget is used; absent when not growing"};

constexpr const char* kWalStatuses[] = {"reserved", "extended", "unreserved", "lost"};

std::optional<double> number(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  char* end = nullptr;
  double value = std::strtod(text->c_str(), &end);
  if (end == text->c_str()) return std::nullopt;
  return value;
}

}  // namespace

std::string text_array_literal(const std::vector<std::string>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ",";
    out += "\"";
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += "\"";
  }
  return out + "}";
}

PgSlotsProbe::PgSlotsProbe(PgSourceConfig config, Millis default_interval)
    : config_(std::move(config)),
      interval_(config_.interval.value_or(default_interval)),
      connection_(config_.dsn,
                  PgOptions{config_.connect_timeout, config_.statement_timeout, true}) {}

CollectOutcome PgSlotsProbe::collect(const CollectContext& ctx) {
  CollectOutcome outcome;
  Labels source{{"source", config_.name}};
  PgResult result = connection_.query(kSlotsQuery, {text_array_literal(config_.slots)});
  TimePoint now = ctx.clock.now();
  if (!result.ok()) {
    outcome.readings.set(kUp, source, 0);
    std::string reason = connection_.connected() ? "query" : "connect";
    outcome.fail(reason, "source " + config_.name + ": " + result.error +
                             (reason == "connect" ? " (check postgres[].dsn and that the server "
                                                    "accepts connections from this host)"
                                                  : " (cdcwatch's role needs pg_monitor)"));
    return outcome;
  }
  outcome.readings.set(kUp, source, 1);
  bool standby = result.at(0, "standby") == std::optional<std::string>("t");
  outcome.readings.set(kInRecovery, source, standby ? 1 : 0);
  auto wal_lsn = number(result.at(0, "wal_lsn_bytes"));
  if (wal_lsn) {
    outcome.readings.set(kWalLsn, source, *wal_lsn);
    wal_history_.record(now, *wal_lsn);
  }
  outcome.status["standby"] = standby;
  outcome.status["slots"] = nlohmann::json::object();

  std::map<std::string, SlotState> seen;
  for (size_t row = 0; row < result.rows.size(); ++row) {
    const auto& slot = result.at(row, "slot_name");
    if (!slot) continue;  // the LEFT JOIN's row when no slot matched
    auto previous = slots_.find(*slot);
    auto [state, inserted] = seen.emplace(
        *slot, previous != slots_.end() ? std::move(previous->second)
                                        : SlotState{GrowthWindow(config_.growth_window), {}});
    report_slot(result, row, state->second, now, outcome);
  }
  slots_ = std::move(seen);  // dropped slots lose their state and, being unreported, their series
  for (const auto& wanted : config_.slots) {
    if (!slots_.count(wanted)) outcome.status["missing_slots"].push_back(wanted);
  }
  return outcome;
}

void PgSlotsProbe::report_slot(const PgResult& result, size_t row, SlotState& state, TimePoint now,
                               CollectOutcome& outcome) {
  const std::string slot = *result.at(row, "slot_name");
  Labels labels{{"source", config_.name}, {"slot", slot}};
  Readings& out = outcome.readings;
  nlohmann::json status;

  bool active = result.at(row, "active") == std::optional<std::string>("t");
  Labels described = labels;
  described.emplace_back("plugin", result.at(row, "plugin").value_or(""));
  described.emplace_back("database", result.at(row, "database").value_or(""));
  out.set(kActive, described, active ? 1 : 0);
  if (active) {
    state.inactive_since.reset();
  } else if (!state.inactive_since) {
    state.inactive_since = now;
  }
  double inactive = state.inactive_since ? seconds_between(*state.inactive_since, now) : 0;
  out.set(kInactiveSeconds, labels, inactive);
  status["active"] = active;

  auto retained = number(result.at(row, "retained_bytes"));
  if (retained) {
    out.set(kRetained, labels, *retained);
    state.retained_growth.record(now, *retained);
    status["retained_wal_bytes"] = *retained;
  }
  if (auto lag = number(result.at(row, "flush_lag_bytes"))) {
    out.set(kFlushLagBytes, labels, *lag);
    status["confirmed_flush_lag_bytes"] = *lag;
  }
  if (auto confirmed = number(result.at(row, "confirmed_flush_bytes"))) {
    if (auto seconds = wal_history_.seconds_behind(*confirmed, now)) {
      out.set(kFlushLagSeconds, labels, *seconds);
      status["confirmed_flush_lag_seconds"] = *seconds;
    }
  }
  auto safe = number(result.at(row, "safe_wal_size"));
  if (safe) out.set(kSafeWalSize, labels, *safe);
  if (auto wal_status = result.at(row, "wal_status")) {
    for (const char* name : kWalStatuses) {
      Labels with_status = labels;
      with_status.emplace_back("status", name);
      out.set(kWalStatus, with_status, *wal_status == name ? 1 : 0);
    }
    status["wal_status"] = *wal_status;
  }
  if (auto age = number(result.at(row, "catalog_xmin_age"))) out.set(kCatalogXminAge, labels, *age);

  if (auto growth = state.retained_growth.rate_per_second()) {
    out.set(kGrowth, labels, *growth);
    status["retained_wal_growth_bytes_per_second"] = *growth;
    std::optional<double> budget;
    if (config_.wal_budget) budget = static_cast<double>(*config_.wal_budget);
    auto exhaustion = seconds_until_exhaustion({*growth, safe, budget, retained.value_or(0)});
    if (exhaustion) {
      out.set(kExhaustion, labels, *exhaustion);
      status["wal_exhaustion_seconds"] = *exhaustion;
    }
  }
  outcome.status["slots"][slot] = std::move(status);
}

std::unique_ptr<Probe> make_pg_slots_probe(const PgSourceConfig& config, Millis default_interval) {
  return std::make_unique<PgSlotsProbe>(config, default_interval);
}

}  // namespace cdcwatch
