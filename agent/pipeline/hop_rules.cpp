#include "agent/pipeline/hop_rules.h"

#include "probes/canary/canary_metrics.h"
#include "probes/connect/connect_metrics.h"
#include "probes/kafka_lag/lag_metrics.h"
#include "probes/pg_slots/slot_metrics.h"
#include "probes/sink_truth/sink_metrics.h"

namespace cdcwatch {
namespace {

// A system's own up series: unknown before its first reading, failing at 0, ok at 1.
void judge_up(std::optional<double> up, const std::string& system, HopVerdict& hop) {
  if (!up) hop.note(HopStatus::kUnknown, "no reading from " + system + " yet");
  if (up == 0.0) hop.note(HopStatus::kFailing, system + " does not answer");
  if (up == 1.0) hop.note(HopStatus::kOk, system + " answers");
}

Labels sink_group_labels(const PipelineDef& p) {
  return {{"kafka", *p.kafka}, {"group", sink_group(p.sink->connector)}};
}

HopVerdict source_hop(const PipelineDef& p, const ReadingsView& latest) {
  HopVerdict hop{Hop::kSource};
  if (!p.postgres) {
    hop.note(HopStatus::kUnknown, "no postgres: entry for this pipeline's source");
    return hop;
  }
  auto up = hop.read(latest, slot_metrics::kUp, {{"source", *p.postgres}});
  hop.read(latest, slot_metrics::kWalLsn, {{"source", *p.postgres}});
  judge_up(up, "PostgreSQL " + *p.postgres, hop);
  return hop;
}

HopVerdict slot_hop(const PipelineDef& p, const ReadingsView& latest) {
  HopVerdict hop{Hop::kSlot};
  if (!p.postgres || !p.slot) {
    hop.note(HopStatus::kUnknown, "no slot named for this pipeline");
    return hop;
  }
  Labels slot = {{"source", *p.postgres}, {"slot", *p.slot}};
  auto retained = hop.read(latest, slot_metrics::kRetained, slot);
  hop.read(latest, slot_metrics::kFlushLagSeconds, slot);
  auto inactive = hop.read(latest, slot_metrics::kInactiveSeconds, slot);
  if (latest.first_value(slot_metrics::kUp.name, {{"source", *p.postgres}}) != 1.0) {
    hop.note(HopStatus::kUnknown,
             "cannot see slot " + *p.slot + " while postgres " + *p.postgres + " is unread");
    return hop;
  }
  if (!retained) {
    hop.note(HopStatus::kFailing, "slot " + *p.slot + " is not on postgres " + *p.postgres);
    return hop;
  }
  for (const char* status : {"lost", "unreserved", "extended"}) {
    Labels with = slot;
    with.emplace_back("status", status);
    if (latest.first_value(slot_metrics::kWalStatus.name, with) != 1.0) continue;
    hop.read(latest, slot_metrics::kWalStatus, with);
    hop.note(std::string(status) == "extended" ? HopStatus::kDegraded : HopStatus::kFailing,
             "slot " + *p.slot + " wal_status is " + status);
  }
  if (inactive > kSlotInactiveDegradedSeconds) {
    hop.note(HopStatus::kDegraded, "no consumer has held slot " + *p.slot + " for " +
                                       std::to_string(static_cast<int64_t>(*inactive)) + "s");
  }
  hop.note(HopStatus::kOk, "slot " + *p.slot + " is held and its WAL reserved");
  return hop;
}

// Connect's own word on a connector: state, tasks and the stall rule.
void judge_connector(const ConnectorRef& ref, const ReadingsView& latest,
                     const std::map<std::string, bool>& stalled, HopVerdict& hop) {
  std::string who = "connector " + ref.connector;
  auto up = latest.first_value(connect_metrics::kUp.name, {{"connect", ref.connect}});
  if (up != 1.0) {
    hop.note(HopStatus::kUnknown, up ? "Kafka Connect " + ref.connect + " does not answer"
                                     : "no reading from Kafka Connect " + ref.connect + " yet");
    return;
  }
  Labels labels = {{"connect", ref.connect}, {"connector", ref.connector}};
  std::string state;
  for (const auto& series : latest.find(connect_metrics::kState.name, labels)) {
    if (series.value == 1) state = label_value(series.labels, "state").value_or("");
  }
  if (state.empty()) {
    hop.note(HopStatus::kUnknown, who + " is not reported by connect/" + ref.connect);
    return;
  }
  Labels failed = labels;
  failed.emplace_back("state", "FAILED");
  if (state == "FAILED" || state == "MISSING") hop.note(HopStatus::kFailing, who + " is " + state);
  if (hop.read(latest, connect_metrics::kTasks, failed) > 0.0) {
    hop.note(HopStatus::kFailing, "a task of " + who + " is FAILED");
  }
  auto stall = stalled.find(ref.connect + "/" + ref.connector);
  if (stall != stalled.end() && stall->second) {
    hop.read(latest, connect_metrics::kSinceProgress, labels);
    hop.note(HopStatus::kFailing, who + " is RUNNING but stalled: input waits, no progress");
  }
  if (state != "RUNNING") hop.note(HopStatus::kDegraded, who + " is " + state);
  hop.note(HopStatus::kOk, who + " is RUNNING");
}

void judge_freshness(const PipelineDef& p, const char* stage, const ReadingsView& latest,
                     HopVerdict& hop) {
  if (!p.canary) return;
  auto age = hop.read(latest, kCanaryFreshness, {{"canary", *p.canary}, {"stage", stage}});
  if (!age) return;
  std::string says = "canary " + *p.canary + " at " + stage + " is " +
                     std::to_string(static_cast<int64_t>(*age)) + "s old";
  HopStatus status = *age > kFreshnessFailingSeconds    ? HopStatus::kFailing
                     : *age > kFreshnessDegradedSeconds ? HopStatus::kDegraded
                                                        : HopStatus::kOk;
  // Before the first arrival the canary probe counts freshness from when it started watching: a
  // young age then says nothing got through yet, not that it works.
  bool arrived =
      !latest.find(kCanaryLastSeenSeq.name, {{"canary", *p.canary}, {"stage", stage}}).empty();
  if (!arrived) {
    says = "no canary " + *p.canary + " has reached " + stage + " yet (watching for " +
           std::to_string(static_cast<int64_t>(*age)) + "s)";
    if (status == HopStatus::kOk) status = HopStatus::kUnknown;
  }
  hop.note(status, says);
  hop.by_freshness_only = status != HopStatus::kOk && hop.reason == says;
}

HopVerdict capture_hop(const PipelineDef& p, const ReadingsView& latest,
                       const std::map<std::string, bool>& stalled) {
  HopVerdict hop{Hop::kCapture};
  if (p.postgres && p.slot) {
    hop.read(latest, slot_metrics::kFlushLagSeconds, {{"source", *p.postgres}, {"slot", *p.slot}});
  }
  if (p.capture) {
    judge_connector(*p.capture, latest, stalled, hop);
  } else {
    hop.note(HopStatus::kUnknown, "no capture connector for this pipeline");
  }
  judge_freshness(p, "kafka", latest, hop);
  return hop;
}

HopVerdict kafka_hop(const PipelineDef& p, const ReadingsView& latest) {
  HopVerdict hop{Hop::kKafka};
  if (!p.kafka) {
    hop.note(HopStatus::kUnknown, "no kafka: entry for this pipeline");
    return hop;
  }
  if (p.sink) hop.read(latest, kafka_lag_metrics::kGroupLag, sink_group_labels(p));
  judge_up(hop.read(latest, kafka_lag_metrics::kUp, {{"kafka", *p.kafka}}),
           "Kafka cluster " + *p.kafka, hop);
  return hop;
}

void judge_group(const PipelineDef& p, const ReadingsView& latest, HopVerdict& hop) {
  if (!p.kafka) return;
  for (const auto& series :
       latest.find(kafka_lag_metrics::kGroupStatus.name, sink_group_labels(p))) {
    if (series.value != 1) continue;
    std::string status = label_value(series.labels, "status").value_or("");
    hop.readings.push_back({kafka_lag_metrics::kGroupStatus.name, series.labels, series.value});
    std::string says = "group " + sink_group(p.sink->connector) + " is " + status;
    if (status == "stop" || status == "stall" || status == "error") {
      hop.note(HopStatus::kFailing, says);
    } else if (status == "warning" || status == "rewind") {
      hop.note(HopStatus::kDegraded, says);
    } else {
      hop.note(HopStatus::kOk, says);
    }
  }
}

HopVerdict sink_hop(const PipelineDef& p, const ReadingsView& latest,
                    const std::map<std::string, bool>& stalled) {
  HopVerdict hop{Hop::kSink};
  if (!p.sink) {
    hop.note(HopStatus::kUnknown, "no sink connector for this pipeline");
    return hop;
  }
  if (p.kafka) hop.read(latest, kafka_lag_metrics::kGroupMaxLagSeconds, sink_group_labels(p));
  judge_connector(*p.sink, latest, stalled, hop);
  judge_group(p, latest, hop);
  return hop;
}

// The warehouse's own positions (a sinks: entry on this pipeline's sink connector and Kafka),
// judged at the CdcSinkWarehouse* rules' thresholds; they say where data stopped, so they are
// more than freshness.
void judge_positions(const PipelineDef& p, const ReadingsView& latest, HopVerdict& hop) {
  if (!p.sink || !p.kafka) return;
  auto info = latest.find(sink_metrics::kInfo.name,
                          {{"connector", p.sink->connector}, {"kafka", *p.kafka}});
  if (info.empty()) return;
  std::string name = label_value(info.front().labels, "sink").value_or("");
  Labels sink = {{"sink", name}};
  if (hop.read(latest, sink_metrics::kUp, sink) != 1.0) return;
  auto stalled = hop.read(latest, sink_metrics::kSinceProgressMax, sink);
  auto lag = hop.read(latest, sink_metrics::kLagSecondsMax, sink);
  auto ahead = hop.read(latest, sink_metrics::kGroupAheadTotal, sink);
  if (stalled > kSinkStalledSeconds) {
    hop.note(HopStatus::kFailing, "Snowflake's position for sink " + name + " has not moved for " +
                                      std::to_string(static_cast<int64_t>(*stalled)) + "s");
  } else if (lag > kSinkLagDegradedSeconds) {
    hop.note(HopStatus::kDegraded, "sink " + name + " is " +
                                       std::to_string(static_cast<int64_t>(*lag)) +
                                       "s behind in Snowflake");
  } else if (ahead > 0.0) {
    hop.note(HopStatus::kDegraded, "the group of sink " + name + " is ahead of Snowflake");
  } else if (stalled) {
    hop.note(HopStatus::kOk, "Snowflake keeps up with sink " + name);
  }
}

HopVerdict warehouse_hop(const PipelineDef& p, const ReadingsView& latest) {
  HopVerdict hop{Hop::kWarehouse};
  judge_positions(p, latest, hop);
  judge_freshness(p, "warehouse", latest, hop);
  if (hop.reason.empty()) {
    hop.note(HopStatus::kUnknown, p.canary ? "no warehouse reading from canary " + *p.canary
                                           : "no canary watches this pipeline's warehouse");
  }
  return hop;
}

}  // namespace

std::vector<HopVerdict> judge_hops(const PipelineDef& pipeline, const ReadingsView& latest,
                                   const std::map<std::string, bool>& stalled) {
  return {source_hop(pipeline, latest),           slot_hop(pipeline, latest),
          capture_hop(pipeline, latest, stalled), kafka_hop(pipeline, latest),
          sink_hop(pipeline, latest, stalled),    warehouse_hop(pipeline, latest)};
}

void blame_upstream(std::vector<HopVerdict>& hops) {
  const HopVerdict* failing = nullptr;
  for (auto& hop : hops) {
    if (failing && hop.by_freshness_only) {
      hop.status = HopStatus::kUnknown;
      hop.reason = "waiting on the " + std::string(to_string(failing->hop)) + " hop (failing); " +
                   hop.reason;
    }
    if (!failing && hop.status == HopStatus::kFailing) failing = &hop;
  }
}

}  // namespace cdcwatch
