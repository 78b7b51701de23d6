#include "probes/pg_slots/pg_slots_probe.h"

#include "probes/pg_slots/growth_cause.h"
#include "probes/pg_slots/slot_metrics.h"
#include "probes/pg_slots/slot_report.h"

namespace cdcwatch {

using namespace slot_metrics;

namespace {

// The SQL lives in slot_query.cpp (one statement, built per server version); this one runs once
// per connection to pick it.
constexpr const char* kVersionQuery = "SELECT current_setting('server_version_num')";

// A recreated slot's unread range stays reported (and its page firing) this long.
constexpr auto kReportUnreadFor = std::chrono::hours(24);
// Last positions of a vanished slot are kept this long, to recognise it when it comes back.
constexpr auto kRememberVanishedFor = std::chrono::hours(24 * 7);

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

PgSlotsProbe::Failure PgSlotsProbe::failure(const std::string& error) const {
  if (!connection_.connected()) {
    return {"connect", "source " + config_.name + ": " + error +
                           " (check postgres[].dsn and that the server accepts connections from "
                           "this host)"};
  }
  return {"query", "source " + config_.name + ": " + error + " (cdcwatch's role needs pg_monitor)"};
}

std::optional<PgSlotsProbe::Failure> PgSlotsProbe::run_query(PgResult& result) {
  if (!query_) {
    PgResult version = connection_.query(kVersionQuery);
    if (!version.ok()) return failure(version.error);
    auto text = version.at(0, "current_setting");
    query_ = build_slot_query(text ? std::atoi(text->c_str()) : 0);
    if (!query_) {
      return Failure{"unsupported_version",
                     "source " + config_.name + ": PostgreSQL server_version_num " +
                         text.value_or("?") +
                         " is older than 13; cdcwatch reads pg_replication_slots.wal_status, new "
                         "in 13 (supported: 13 to 18)"};
    }
  }
  result = connection_.query(query_->sql, {text_array_literal(config_.slots)});
  if (!result.ok()) return failure(result.error);
  return std::nullopt;
}

CollectOutcome PgSlotsProbe::collect(const CollectContext& ctx) {
  CollectOutcome outcome;
  Labels source{{"source", config_.name}};
  PgResult result;
  auto failed = run_query(result);
  TimePoint now = ctx.clock.now();
  if (failed) {
    query_.reset();  // the server may come back as another version
    outcome.readings.set(kUp, source, 0);
    outcome.fail(failed->reason, failed->message);
    return outcome;
  }
  outcome.readings.set(kUp, source, 1);
  SourceRow server = decode_source(result);
  report_source(server, now, outcome);
  std::map<std::string, bool> seen;
  for (const SlotRow& row : decode_slots(result)) {
    seen[row.slot_name] = true;
    report_slot(row, server, state_for(row), now, outcome);
  }
  forget_vanished(seen, now);
  for (const auto& wanted : config_.slots) {
    if (!seen.count(wanted)) outcome.status["missing_slots"].push_back(wanted);
  }
  if (server.server_version_num && *server.server_version_num != query_->server_version_num) {
    query_ = build_slot_query(*server.server_version_num);  // upgraded under a stable address
  }
  return outcome;
}

void PgSlotsProbe::report_source(const SourceRow& server, TimePoint now, CollectOutcome& outcome) {
  Labels source{{"source", config_.name}};
  outcome.readings.set(kInRecovery, source, server.standby ? 1 : 0);
  if (server.wal_lsn_bytes) {
    outcome.readings.set(kWalLsn, source, *server.wal_lsn_bytes);
    wal_history_.record(now, *server.wal_lsn_bytes);
  }
  const auto& oldest = server.oldest_transaction;
  outcome.readings.set(kOldestTransactionAge, source, oldest ? oldest->age_seconds : 0);
  outcome.status["standby"] = server.standby;
  outcome.status["server_version_num"] = query_->server_version_num;
  outcome.status["version_path"] = query_->path;
  outcome.status["oldest_transaction"] = nullptr;
  if (oldest) {
    outcome.status["oldest_transaction"] = {{"age_seconds", oldest->age_seconds},
                                            {"application_name", oldest->application_name},
                                            {"state", oldest->state},
                                            {"has_xid", oldest->has_xid}};
  }
  outcome.status["slots"] = nlohmann::json::object();
}

PgSlotsProbe::SlotState& PgSlotsProbe::state_for(const SlotRow& row) {
  auto [it, inserted] = slots_.try_emplace(row.slot_name, config_.growth_window);
  SlotState& state = it->second;
  if (state.vanished_at) {  // back under the same name: a new slot, with only the old positions
    SlotState fresh(config_.growth_window);
    fresh.last_sighting = state.last_sighting;
    fresh.vanished_at = state.vanished_at;
    fresh.unread = state.unread;
    state = std::move(fresh);
  }
  return state;
}

void PgSlotsProbe::check_continuity(const SlotRow& row, const SourceRow& server, SlotState& state,
                                    TimePoint now) {
  if (!row.confirmed_flush_bytes || !row.restart_bytes) return;  // invalidated: nothing to compare
  SlotSighting sighting{*row.confirmed_flush_bytes, *row.restart_bytes, row.total_txns,
                        row.stats_reset_seconds, server.postmaster_start_seconds};
  if (state.last_sighting) {
    if (auto range = unread_range(*state.last_sighting, state.vanished_at.has_value(), sighting)) {
      state.unread = UnreadReport{*range, now};
    }
  }
  state.last_sighting = sighting;
  state.vanished_at.reset();
  if (state.unread && now - state.unread->detected_at > kReportUnreadFor) state.unread.reset();
}

void PgSlotsProbe::report_slot(const SlotRow& row, const SourceRow& server, SlotState& state,
                               TimePoint now, CollectOutcome& outcome) {
  Labels labels{{"source", config_.name}, {"slot", row.slot_name}};
  nlohmann::json status;
  SlotOutput out{labels, outcome.readings, status};
  check_continuity(row, server, state, now);
  report_positions(row, out);
  report_statistics(row, out);
  report_walsender(row, out);
  report_validity(row, out);
  if (state.unread) report_unread(state.unread->range, out);

  update_inactive_since(row, state, now);
  double inactive = state.inactive_since ? seconds_between(*state.inactive_since, now) : 0;
  outcome.readings.set(kInactiveSeconds, labels, inactive);
  std::optional<double> lag_seconds;
  if (row.confirmed_flush_bytes) {
    lag_seconds = wal_history_.seconds_behind(*row.confirmed_flush_bytes, now);
    if (lag_seconds) {
      outcome.readings.set(kFlushLagSeconds, labels, *lag_seconds);
      status["confirmed_flush_lag_seconds"] = *lag_seconds;
    }
  }
  report_growth(row, state, lag_seconds, now, out);
  outcome.status["slots"][row.slot_name] = std::move(status);
}

void PgSlotsProbe::update_inactive_since(const SlotRow& row, SlotState& state, TimePoint now) {
  if (row.active) {
    state.inactive_since.reset();
  } else if (row.inactive_since_seconds) {  // 17+: the server's own clock survives our restarts
    state.inactive_since = now - std::chrono::duration_cast<TimePoint::duration>(
                                     std::chrono::duration<double>(*row.inactive_since_seconds));
  } else if (!state.inactive_since) {
    state.inactive_since = now;
  }
}

void PgSlotsProbe::report_growth(const SlotRow& row, SlotState& state,
                                 std::optional<double> lag_seconds, TimePoint now, SlotOutput out) {
  if (row.retained_bytes) state.retained_growth.record(now, *row.retained_bytes);
  if (row.spill_bytes) state.spilled_bytes.record(now, *row.spill_bytes);
  if (row.database_rows_changed) {
    state.database_rows_changed.record(now, *row.database_rows_changed);
  }
  auto growth = state.retained_growth.rate_per_second();
  GrowthEvidence evidence{growth,
                          row.active,
                          row.held_by_transaction,
                          state.spilled_bytes.increase(),
                          state.database_rows_changed.increase(),
                          lag_seconds};
  WalGrowthCause cause = wal_growth_cause(evidence);
  if (cause != WalGrowthCause::kNone) state.retained_cause = cause;
  report_growth_cause(cause, state.retained_cause, row.retained_bytes, out);
  if (!growth) return;
  out.readings.set(kGrowth, out.labels, *growth);
  out.status["retained_wal_growth_bytes_per_second"] = *growth;
  std::optional<double> budget;
  if (config_.wal_budget) budget = static_cast<double>(*config_.wal_budget);
  auto exhaustion = seconds_until_exhaustion(
      {*growth, row.safe_wal_size, budget, row.retained_bytes.value_or(0)});
  if (exhaustion) {
    out.readings.set(kExhaustion, out.labels, *exhaustion);
    Labels with_cause = out.labels;
    with_cause.emplace_back("cause", to_string(state.retained_cause));
    out.readings.set(kExhaustionByCause, with_cause, *exhaustion);
    out.status["wal_exhaustion_seconds"] = *exhaustion;
  }
}

void PgSlotsProbe::forget_vanished(const std::map<std::string, bool>& seen, TimePoint now) {
  for (auto it = slots_.begin(); it != slots_.end();) {
    SlotState& state = it->second;
    if (!seen.count(it->first) && !state.vanished_at) state.vanished_at = now;
    bool forgotten = state.vanished_at &&
                     (!state.last_sighting || now - *state.vanished_at > kRememberVanishedFor);
    it = forgotten ? slots_.erase(it) : std::next(it);
  }
}

std::unique_ptr<Probe> make_pg_slots_probe(const PgSourceConfig& config, Millis default_interval) {
  return std::make_unique<PgSlotsProbe>(config, default_interval);
}

}  // namespace cdcwatch
