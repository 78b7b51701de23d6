#include "agent/core/probe_health.h"

#include "agent/core/secrets.h"

namespace cdcwatch {
namespace {

const MetricDef kProbeUp{"cdcwatch_probe_up",
                         "1 when the probe's last cycle succeeded, 0 when it failed or timed out"};
const MetricDef kProbeDuration{"cdcwatch_probe_duration_seconds", "Wall time of each probe cycle",
                               MetricType::kHistogram};
const MetricDef kProbeErrors{"cdcwatch_probe_errors_total",
                             "Failed probe cycles, by reason (connect, query, timeout, http, ...)",
                             MetricType::kCounter};
const MetricDef kProbeStuck{"cdcwatch_probe_stuck",
                            "1 while the probe's cycle has outlived its timeout and not returned"};
const MetricDef kProbeLastSuccess{"cdcwatch_probe_last_success_timestamp_seconds",
                                  "Unix time of the probe's last successful cycle"};

const std::vector<double> kDurationBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                              0.5,   1,    2.5,   5,    10,  30};

}  // namespace

void ProbeHealth::add_probe(const std::string& probe, Millis interval) {
  std::lock_guard lock(mutex_);
  if (auto known = records_.find(probe); known != records_.end()) {
    known->second.interval = interval;
    known->second.running = false;
    known->second.stuck = false;
    return;
  }
  ProbeRecord record;
  record.probe = probe;
  record.interval = interval;
  record.durations = HistogramValue(kDurationBuckets);
  // The reasons the framework itself gives start at 0, so that rate() and increase() see their
  // first failure; a probe's own reasons appear with their first occurrence.
  record.errors_by_reason = {{kTimeoutReason, 0}, {kInternalReason, 0}};
  records_[probe] = std::move(record);
}

void ProbeHealth::remove_probe(const std::string& probe) {
  std::lock_guard lock(mutex_);
  records_.erase(probe);
}

void ProbeHealth::cycle_started(const std::string& probe, TimePoint at) {
  std::lock_guard lock(mutex_);
  auto known = records_.find(probe);
  if (known == records_.end()) return;  // removed by a reload while its worker was waking
  auto& record = known->second;
  record.running = true;
  record.last_run = at;
  record.stuck = false;
}

bool ProbeHealth::cycle_finished(const std::string& probe, TimePoint started, TimePoint finished,
                                 const CollectOutcome& outcome) {
  std::lock_guard lock(mutex_);
  auto known = records_.find(probe);
  if (known == records_.end()) return false;
  auto& record = known->second;
  bool was_up = record.up;
  double seconds = seconds_between(started, finished);
  record.running = false;
  record.last_duration_seconds = seconds;
  record.durations.observe(seconds);
  record.status = outcome.status;
  if (!record.stuck) ++record.cycles;
  record.stuck = false;
  if (!record.first_completed) record.first_completed = finished;
  record.last_completed_start = started;
  record.up = outcome.ok();
  if (outcome.ok()) {
    record.last_success = finished;
    record.last_error_reason.clear();
    record.last_error_message.clear();
  } else {
    record.last_error_reason = outcome.error_reason;
    record.last_error_message = scrub_secrets(outcome.error_message);
    ++record.errors_by_reason[outcome.error_reason];
  }
  return was_up != record.up || record.cycles == 1;
}

bool ProbeHealth::mark_timed_out(const std::string& probe, Millis timeout) {
  std::lock_guard lock(mutex_);
  auto known = records_.find(probe);
  if (known == records_.end() || known->second.stuck) return false;
  auto& record = known->second;
  record.stuck = true;
  ++record.cycles;
  if (!record.first_completed) record.first_completed = record.last_run;
  record.up = false;
  record.last_error_reason = kTimeoutReason;
  record.last_error_message =
      "cycle still running after " + format_duration(timeout) + "; its target is not answering";
  ++record.errors_by_reason[kTimeoutReason];
  return true;
}

bool ProbeHealth::all_completed_a_cycle() const {
  std::lock_guard lock(mutex_);
  for (const auto& [name, record] : records_) {
    if (record.cycles == 0) return false;
  }
  return true;
}

bool ProbeHealth::completed_a_cycle_after_all_others(const std::string& probe) const {
  std::lock_guard lock(mutex_);
  auto stage = records_.find(probe);
  std::optional<TimePoint> latest_first;
  for (const auto& [name, record] : records_) {
    if (record.cycles == 0) return false;
    if (name != probe && (!latest_first || record.first_completed > latest_first))
      latest_first = record.first_completed;
  }
  if (stage == records_.end() || !latest_first) return true;
  return stage->second.last_completed_start && *stage->second.last_completed_start >= *latest_first;
}

std::vector<ProbeRecord> ProbeHealth::records() const {
  std::lock_guard lock(mutex_);
  std::vector<ProbeRecord> out;
  for (const auto& [name, record] : records_) out.push_back(record);
  return out;
}

Readings ProbeHealth::self_metrics() const {
  std::lock_guard lock(mutex_);
  Readings out;
  for (const auto& [name, record] : records_) {
    Labels labels{{"probe", name}};
    out.set(kProbeUp, labels, record.up ? 1 : 0);
    out.set(kProbeStuck, labels, record.stuck ? 1 : 0);
    out.set_histogram(kProbeDuration, labels, record.durations);
    for (const auto& [reason, count] : record.errors_by_reason) {
      out.set(kProbeErrors, {{"probe", name}, {"reason", reason}}, static_cast<double>(count));
    }
    if (record.last_success) {
      out.set(kProbeLastSuccess, labels, to_unix_seconds(*record.last_success));
    }
  }
  return out;
}

nlohmann::json ProbeHealth::status_json() const {
  std::lock_guard lock(mutex_);
  nlohmann::json probes = nlohmann::json::object();
  for (const auto& [name, record] : records_) {
    nlohmann::json entry = {
        {"interval", format_duration(record.interval)},
        {"cycles", record.cycles},
        {"up", record.up},
        {"running", record.running},
        {"stuck", record.stuck},
        {"last_duration_seconds", record.last_duration_seconds},
        {"readings", record.status},
    };
    if (record.last_run) entry["last_run"] = format_timestamp(*record.last_run);
    if (record.last_success) entry["last_success"] = format_timestamp(*record.last_success);
    entry["outcome"] = record.cycles == 0 ? "pending" : (record.up ? "ok" : "error");
    if (!record.last_error_reason.empty()) {
      entry["error"] = {{"reason", record.last_error_reason},
                        {"message", record.last_error_message}};
    }
    probes[name] = std::move(entry);
  }
  return probes;
}

}  // namespace cdcwatch
