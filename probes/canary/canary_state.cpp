#include "probes/canary/canary_state.h"

#include <spdlog/spdlog.h>

#include "probes/warehouseconn/json_member.h"

namespace cdcwatch {
namespace {

using Json = nlohmann::json;
constexpr int kVersion = 1;

bool is_time(const Json& value) { return value.is_number() && value.get<double>() >= 0; }

std::optional<CanaryStageState::Newest> newest_from(const Json& saved) {
  if (!saved.is_object() || !saved.contains("seq") || !saved["seq"].is_number_integer() ||
      !saved.contains("written_at") || !is_time(saved["written_at"])) {
    return std::nullopt;
  }
  CanaryStageState::Newest newest{saved["seq"].get<int64_t>(), saved["written_at"].get<double>(),
                                  0};
  if (saved.contains("seen_at") && is_time(saved["seen_at"]))
    newest.seen_at = saved["seen_at"].get<double>();
  return newest;
}

std::optional<std::string> problem_with(const Json& saved, const std::string& identity) {
  if (!saved.is_object()) return "not an object";
  if (integer_member(saved, "version", 0) != kVersion)
    return "not version " + std::to_string(kVersion);
  if (string_member(saved, "identity") != identity) return "saved for another canary entry";
  if (!saved.contains("watching_since") || !is_time(saved["watching_since"]))
    return "no watching_since";
  if (saved.contains("newest") && !newest_from(saved["newest"])) return "a malformed newest";
  if (saved.contains("arrivals") && !saved["arrivals"].is_array()) return "malformed arrivals";
  return std::nullopt;
}

}  // namespace

Json save_stage_state(const CanaryStageState& state) {
  Json out = {{"version", kVersion},
              {"identity", state.identity},
              {"watching_since", state.watching_since}};
  if (state.newest) {
    out["newest"] = {{"seq", state.newest->seq},
                     {"written_at", state.newest->written_at},
                     {"seen_at", state.newest->seen_at}};
  }
  Json arrivals = Json::array();
  auto from = state.arrivals.size() > kMaxSavedArrivals
                  ? std::prev(state.arrivals.end(), kMaxSavedArrivals)
                  : state.arrivals.begin();
  for (auto it = from; it != state.arrivals.end(); ++it)
    arrivals.push_back({it->first, it->second});
  out["arrivals"] = std::move(arrivals);
  return out;
}

std::optional<CanaryStageState> restore_stage_state(const Json& saved, const std::string& identity,
                                                    const std::string& probe) {
  if (saved.is_null()) return std::nullopt;
  if (auto problem = problem_with(saved, identity)) {
    spdlog::warn("{}: saved state ignored ({}); starting fresh", probe, *problem);
    return std::nullopt;
  }
  CanaryStageState state;
  state.identity = identity;
  state.watching_since = saved["watching_since"].get<double>();
  if (saved.contains("newest")) state.newest = newest_from(saved["newest"]);
  if (saved.contains("arrivals")) {
    for (const auto& arrival : saved["arrivals"]) {
      if (state.arrivals.size() >= kMaxSavedArrivals) break;
      if (arrival.is_array() && arrival.size() == 2 && arrival[0].is_number_integer() &&
          is_time(arrival[1])) {
        state.arrivals[arrival[0].get<int64_t>()] = arrival[1].get<double>();
      }
    }
  }
  return state;
}

}  // namespace cdcwatch
