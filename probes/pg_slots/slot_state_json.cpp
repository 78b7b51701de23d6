// The slot probe's memory across reloads and restarts (Probe::save_state/restore_state), so a
// restart mid-incident neither delays a page (growth windows, inactive-since) nor hides a slot
// recreated while the agent was stopped (last positions). Versioned; anything doubtful on restore
// is dropped with a warning, never thrown.
#include <spdlog/spdlog.h>

#include "probes/pg_slots/pg_slots_probe.h"

namespace cdcwatch {
namespace {

constexpr int kStateVersion = 1;
// Bounds of what is written every cycle: the newest points of each window, and the WAL history
// thinned to evenly spaced points (it answers "when was the server at LSN x" to within the gap).
constexpr size_t kMaxWindowPoints = 600;
constexpr size_t kMaxHistoryPoints = 720;

using Json = nlohmann::json;

int64_t unix_ms(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
TimePoint from_unix_ms(int64_t ms) {
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::milliseconds(ms)));
}

Json optional_time(const std::optional<TimePoint>& t) { return t ? Json(unix_ms(*t)) : Json(); }
std::optional<TimePoint> read_time(const Json& j) {
  if (!j.is_number_integer()) return std::nullopt;
  return from_unix_ms(j.get<int64_t>());
}
Json optional_number(const std::optional<double>& v) { return v ? Json(*v) : Json(); }
std::optional<double> read_number(const Json& j) {
  if (!j.is_number()) return std::nullopt;
  return j.get<double>();
}

Json window_json(const GrowthWindow& window) {
  Json points = Json::array();
  const auto& all = window.points();
  size_t skip = all.size() > kMaxWindowPoints ? all.size() - kMaxWindowPoints : 0;
  for (size_t i = skip; i < all.size(); ++i) points.push_back({unix_ms(all[i].at), all[i].value});
  return points;
}

// Calls record(at, value) for each well-formed [ms, value] pair; false if any was malformed.
template <typename Record>
bool read_points(const Json& points, Record record) {
  if (!points.is_array()) return false;
  for (const Json& point : points) {
    if (!point.is_array() || point.size() != 2 || !point[0].is_number_integer() ||
        !point[1].is_number()) {
      return false;
    }
    record(from_unix_ms(point[0].get<int64_t>()), point[1].get<double>());
  }
  return true;
}

Json history_json(const WalHistory& history) {
  Json points = Json::array();
  const auto& all = history.points();
  size_t step = all.size() / kMaxHistoryPoints + 1;
  for (size_t i = 0; i < all.size(); ++i) {
    if (i % step == 0 || i + 1 == all.size()) {
      points.push_back({unix_ms(all[i].at), all[i].wal_bytes});
    }
  }
  return points;
}

Json sighting_json(const SlotSighting& s) {
  return {{"confirmed_flush_bytes", s.confirmed_flush_bytes},
          {"restart_bytes", s.restart_bytes},
          {"decoded_transactions", optional_number(s.decoded_transactions)},
          {"stats_reset_seconds", optional_number(s.stats_reset_seconds)},
          {"postmaster_start_seconds", optional_number(s.postmaster_start_seconds)}};
}

std::optional<SlotSighting> read_sighting(const Json& j) {
  if (!j.is_object()) return std::nullopt;
  auto confirmed = read_number(j.value("confirmed_flush_bytes", Json()));
  auto restart = read_number(j.value("restart_bytes", Json()));
  if (!confirmed || !restart) return std::nullopt;
  return SlotSighting{*confirmed, *restart, read_number(j.value("decoded_transactions", Json())),
                      read_number(j.value("stats_reset_seconds", Json())),
                      read_number(j.value("postmaster_start_seconds", Json()))};
}

}  // namespace

Json PgSlotsProbe::save_state() const {
  Json slots = Json::object();
  for (const auto& [name, state] : slots_) {
    Json slot = {{"inactive_since", optional_time(state.inactive_since)},
                 {"vanished_at", optional_time(state.vanished_at)},
                 {"retained", window_json(state.retained_growth)},
                 {"spilled", window_json(state.spilled_bytes)},
                 {"rows_changed", window_json(state.database_rows_changed)},
                 {"retained_cause", to_string(state.retained_cause)}};
    if (state.last_sighting) slot["last_sighting"] = sighting_json(*state.last_sighting);
    if (state.unread) {
      slot["unread"] = {{"from_bytes", state.unread->range.from_bytes},
                        {"to_bytes", state.unread->range.to_bytes},
                        {"cause", to_string(state.unread->range.cause)},
                        {"detected_at", unix_ms(state.unread->detected_at)}};
    }
    slots[name] = std::move(slot);
  }
  return {{"version", kStateVersion},
          {"wal_history", history_json(wal_history_)},
          {"slots", std::move(slots)}};
}

namespace {

std::optional<UnreadRange> read_unread(const Json& j) {
  if (!j.is_object()) return std::nullopt;
  auto from = read_number(j.value("from_bytes", Json()));
  auto to = read_number(j.value("to_bytes", Json()));
  std::string cause = j.value("cause", Json()).is_string() ? j["cause"].get<std::string>() : "";
  if (!from || !to || (cause != "recreated" && cause != "moved_backwards")) return std::nullopt;
  return UnreadRange{*from, *to,
                     cause == "recreated" ? UnreadCause::kRecreated : UnreadCause::kMovedBackwards};
}

}  // namespace

void PgSlotsProbe::restore_state(const Json& state) {
  auto warn = [&](const std::string& what) {
    spdlog::warn("{}: saved state {}; starting that part afresh", name(), what);
  };
  if (state.is_null()) return;
  if (!state.is_object() || state.value("version", Json()) != kStateVersion) {
    return warn("has an unknown format or version");
  }
  WalHistory history;
  if (!read_points(state.value("wal_history", Json::array()),
                   [&](TimePoint at, double v) { history.record(at, v); })) {
    warn("has a malformed wal_history");
  } else {
    wal_history_ = std::move(history);
  }
  const Json& slots = state.value("slots", Json::object());
  if (!slots.is_object()) return warn("has malformed slots");
  for (const auto& [slot_name, saved] : slots.items()) {
    if (!saved.is_object()) {
      warn("has a malformed entry for slot " + slot_name);
      continue;
    }
    SlotState slot(config_.growth_window);
    bool windows_ok =
        read_points(saved.value("retained", Json::array()),
                    [&](TimePoint at, double v) { slot.retained_growth.record(at, v); }) &&
        read_points(saved.value("spilled", Json::array()),
                    [&](TimePoint at, double v) { slot.spilled_bytes.record(at, v); }) &&
        read_points(saved.value("rows_changed", Json::array()),
                    [&](TimePoint at, double v) { slot.database_rows_changed.record(at, v); });
    if (!windows_ok) {
      warn("has malformed windows for slot " + slot_name);
      slot = SlotState(config_.growth_window);
    }
    slot.inactive_since = read_time(saved.value("inactive_since", Json()));
    Json cause = saved.value("retained_cause", Json());
    if (cause.is_string()) {
      slot.retained_cause =
          parse_wal_growth_cause(cause.get<std::string>()).value_or(WalGrowthCause::kNone);
    }
    slot.vanished_at = read_time(saved.value("vanished_at", Json()));
    slot.last_sighting = read_sighting(saved.value("last_sighting", Json()));
    if (auto range = read_unread(saved.value("unread", Json()))) {
      if (auto at = read_time(saved["unread"].value("detected_at", Json()))) {
        slot.unread = UnreadReport{*range, *at};
      }
    }
    slots_.insert_or_assign(slot_name, std::move(slot));
  }
}

}  // namespace cdcwatch
