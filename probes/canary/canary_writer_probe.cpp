#include "probes/canary/canary_writer_probe.h"

#include <spdlog/spdlog.h>

#include <cmath>

#include "probes/warehouseconn/json_member.h"

namespace cdcwatch {
namespace {

const MetricDef kWrites{"cdcwatch_canary_writes_total",
                        "Canary upserts (reads in observe mode) by result: ok or error",
                        MetricType::kCounter};
const MetricDef kLastSeq{"cdcwatch_canary_last_written_seq",
                         "Sequence number of the newest canary row"};
const MetricDef kLastWritten{"cdcwatch_canary_last_written_timestamp_seconds",
                             "written_at of the newest canary row (database clock, unix seconds)"};
const MetricDef kSkew{"cdcwatch_clock_skew_seconds",
                      "Agent clock minus the peer's clock; canary latencies are corrected by it"};
const MetricDef kSkewAbs{"cdcwatch_clock_skew_abs_seconds",
                         "Absolute value of cdcwatch_clock_skew_seconds, for alerting either way"};

}  // namespace

CanaryWriterProbe::CanaryWriterProbe(const CanaryConfig& canary, const PgSourceConfig& source,
                                     std::shared_ptr<CanaryTimeline> timeline)
    : canary_(canary),
      peer_("postgres/" + source.name),
      writer_(canary, source),
      timeline_(std::move(timeline)) {}

nlohmann::json CanaryWriterProbe::save_state() const {
  if (!last_) return nullptr;
  return {{"version", 1},
          {"identity", canary_.agent_id + " in table " + canary_.table},
          {"last_written",
           {{"seq", last_->seq},
            {"written_at", last_->written_at},
            {"clock_skew", last_->clock_skew}}}};
}

void CanaryWriterProbe::restore_state(const nlohmann::json& saved) {
  if (saved.is_null()) return;
  const nlohmann::json* last = nullptr;
  if (saved.is_object() && integer_member(saved, "version", 0) == 1 &&
      string_member(saved, "identity") == canary_.agent_id + " in table " + canary_.table &&
      saved.contains("last_written")) {
    last = &saved["last_written"];
  }
  if (!last || !last->is_object() || !last->contains("seq") ||
      !(*last)["seq"].is_number_integer() || !last->contains("written_at") ||
      !(*last)["written_at"].is_number() || !last->contains("clock_skew") ||
      !(*last)["clock_skew"].is_number()) {
    spdlog::warn("{}: saved state ignored (malformed, another version or another entry)", name());
    return;
  }
  last_ = CanaryWrite{(*last)["seq"].get<int64_t>(), (*last)["written_at"].get<double>(),
                      (*last)["clock_skew"].get<double>()};
  timeline_->set_clock_skew(last_->clock_skew);
}

CollectOutcome CanaryWriterProbe::collect(const CollectContext& ctx) {
  CollectOutcome outcome;
  Labels canary = {{"canary", canary_.name}};
  CanaryWriteResult result = writer_.write_or_read(ctx.clock);
  if (result.write) {
    ++writes_ok_;
    last_ = result.write;
    timeline_->set_clock_skew(last_->clock_skew);
  } else {
    ++writes_failed_;
    outcome.fail(result.error_reason, result.error_message);
  }
  outcome.readings.set(kWrites, {{"canary", canary_.name}, {"result", "ok"}},
                       static_cast<double>(writes_ok_));
  outcome.readings.set(kWrites, {{"canary", canary_.name}, {"result", "error"}},
                       static_cast<double>(writes_failed_));
  outcome.status = {
      {"mode", canary_.mode}, {"table", canary_.table}, {"agent_id", canary_.agent_id}};
  if (last_) {
    outcome.readings.set(kLastSeq, canary, static_cast<double>(last_->seq));
    outcome.readings.set(kLastWritten, canary, last_->written_at);
    outcome.readings.set(kSkew, {{"peer", peer_}}, last_->clock_skew);
    outcome.readings.set(kSkewAbs, {{"peer", peer_}}, std::fabs(last_->clock_skew));
    outcome.status["last_written_seq"] = last_->seq;
    outcome.status["clock_skew_seconds"] = last_->clock_skew;
    if (std::fabs(last_->clock_skew) * 1000 > static_cast<double>(canary_.max_clock_skew.count())) {
      outcome.status["clock_skew_warning"] = "the agent's clock and " + peer_ +
                                             "'s differ by more than " +
                                             format_duration(canary_.max_clock_skew) +
                                             "; latencies are corrected but check NTP on both";
    }
  }
  return outcome;
}

}  // namespace cdcwatch
