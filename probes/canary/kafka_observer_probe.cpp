#include "probes/canary/kafka_observer_probe.h"

#include "probes/canary/canary_metrics.h"
#include "probes/canary/canary_order.h"
#include "probes/canary/canary_state.h"

namespace cdcwatch {
namespace {

const MetricDef kEvents{"cdcwatch_canary_events_total",
                        "Change events read from the canary topic, by result: ok (a canary row), "
                        "unparsable, or the kind of event skipped for carrying no row: "
                        "tombstone, delete, truncate, message, heartbeat",
                        MetricType::kCounter};
const char* const kSkippedKinds[] = {"tombstone", "delete", "truncate", "message", "heartbeat"};

constexpr int kMaxMessagesPerCycle = 10000;

// The headers a registry serializer may name the writer schema in (record_framing.h).
RecordHeaders framing_headers(const rd_kafka_message_t& message) {
  RecordHeaders out;
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(&message, &headers) != RD_KAFKA_RESP_ERR_NO_ERROR) return out;
  const char* name = nullptr;
  const void* value = nullptr;
  size_t size = 0;
  for (size_t i = 0;
       rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
       ++i) {
    if (std::string_view(name).rfind("apicurio.value.", 0) != 0) continue;
    out.emplace_back(name, value ? std::string(static_cast<const char*>(value), size) : "");
  }
  return out;
}

}  // namespace

KafkaObserverProbe::KafkaObserverProbe(const CanaryConfig& canary, const KafkaClusterConfig& kafka,
                                       std::shared_ptr<CanaryTimeline> timeline)
    : canary_(canary),
      kafka_(kafka),
      timeline_(std::move(timeline)),
      decoder_(kafka.schema_registry),
      latency_(canary_latency_buckets()) {}

std::optional<std::string> KafkaObserverProbe::assign(int timeout_ms) {
  if (!consumer_) consumer_ = make_kafka_consumer(kafka_, "cdcwatch-canary-" + canary_.name);
  // From the newest canary already there, then every new one.
  std::string problem = assign_whole_topic(
      consumer_.get(), kafka_.name, canary_.topic, RD_KAFKA_OFFSET_TAIL(1), timeout_ms,
      "topic " + canary_.topic + " does not exist on kafka " + kafka_.name +
          ": set canaries[].topic to the Debezium topic (<topic.prefix>.<schema>.<table>) and "
          "check the canary table is in the connector's table.include.list");
  assigned_ = problem.empty();
  if (problem.empty()) return std::nullopt;
  return problem;
}

void KafkaObserverProbe::take(const rd_kafka_message_t& message, double skew, Millis budget) {
  std::string_view value(static_cast<const char*>(message.payload),
                         message.payload ? message.len : 0);
  ParsedCanaryEvent parsed = decoder_.decode(value, framing_headers(message), budget);
  if (parsed.kind == ParsedCanaryEvent::Kind::kError) {
    ++bad_events_;
    last_bad_event_ = "topic " + canary_.topic + " partition " + std::to_string(message.partition) +
                      " offset " + std::to_string(message.offset) + ": " + parsed.message;
    return;
  }
  if (parsed.kind == ParsedCanaryEvent::Kind::kSkip) {
    ++skipped_[parsed.message];
    return;
  }
  ++events_;
  if (parsed.event.agent_id != canary_.agent_id) return;
  if (newest_ && !replaces_newest(parsed.event.seq, parsed.event.written_at, newest_->event.seq,
                                  newest_->event.written_at, "canary " + canary_.name + " kafka",
                                  sequence_restarts_)) {
    return;
  }
  rd_kafka_timestamp_type_t type;
  int64_t timestamp_ms = rd_kafka_message_timestamp(&message, &type);
  double record_time = timestamp_ms > 0 ? static_cast<double>(timestamp_ms) / 1000.0 : 0;
  newest_ = Seen{parsed.event, record_time};
  if (record_time <= 0) return;
  timeline_->reached_kafka(parsed.event.seq, record_time);
  latency_.observe(std::max(0.0, record_time - (parsed.event.written_at + skew)));
  db_to_capture_.reset();
  capture_to_kafka_.reset();
  if (parsed.event.captured_at) {
    capture_to_kafka_ = std::max(0.0, record_time - *parsed.event.captured_at);
    if (parsed.event.committed_at) {
      db_to_capture_ =
          std::max(0.0, *parsed.event.captured_at - (*parsed.event.committed_at + skew));
    }
  }
}

std::string KafkaObserverProbe::read_events(const CollectContext& ctx) {
  int timeout_ms =
      static_cast<int>(time_left(ctx.deadline, ctx.clock, kafka_.request_timeout).count());
  if (!assigned_) {
    std::optional<std::string> problem;
    try {
      problem = assign(timeout_ms);
    } catch (const std::exception& e) {
      problem = e.what();
    }
    if (problem) return "canary " + canary_.name + ": " + *problem;
  }
  double skew = timeline_->clock_skew();
  std::string transport_error;
  for (int i = 0; i < kMaxMessagesPerCycle && ctx.clock.now() < ctx.deadline; ++i) {
    rd_kafka_message_t* message = rd_kafka_consumer_poll(consumer_.get(), i == 0 ? 200 : 0);
    if (!message) break;
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      take(*message, skew, time_left(ctx.deadline, ctx.clock, kafka_.request_timeout));
    } else if (message->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      transport_error = rd_kafka_message_errstr(message);
    }
    rd_kafka_message_destroy(message);
  }
  if (transport_error.empty()) return "";
  return "canary " + canary_.name + ": reading " + canary_.topic + ": " + transport_error;
}

nlohmann::json KafkaObserverProbe::save_state() const {
  if (!started_) return nullptr;
  CanaryStageState state{identity(), to_unix_seconds(*started_), std::nullopt,
                         timeline_->kafka_times()};
  if (newest_) {
    state.newest = {newest_->event.seq, newest_->event.written_at, newest_->record_time};
  }
  return save_stage_state(state);
}

void KafkaObserverProbe::restore_state(const nlohmann::json& saved) {
  auto state = restore_stage_state(saved, identity(), name());
  if (!state) return;
  started_ = from_unix_seconds(state->watching_since);
  if (state->newest) {
    newest_ = Seen{CanaryEvent{canary_.agent_id, state->newest->seq, state->newest->written_at,
                               std::nullopt, std::nullopt},
                   state->newest->seen_at};
  }
  timeline_->restore_kafka_times(state->arrivals);
}

CollectOutcome KafkaObserverProbe::collect(const CollectContext& ctx) {
  CollectOutcome outcome;
  if (!started_) started_ = ctx.clock.now();
  uint64_t bad_before = bad_events_;
  uint64_t unreadable_before = decoder_.unreadable();
  std::string read_error = read_events(ctx);
  // An event without its writer schema, or in a format cdcwatch does not read, cannot be read:
  // the stage is blind, not fed bad data.
  if (read_error.empty() && decoder_.unreadable() > unreadable_before) {
    read_error = "canary " + canary_.name + ": " + decoder_.last_unreadable();
  }

  Labels stage = {{"canary", canary_.name}, {"stage", "kafka"}};
  double now = to_unix_seconds(ctx.clock.now());
  outcome.readings.set(kEvents, {{"canary", canary_.name}, {"result", "ok"}},
                       static_cast<double>(events_));
  outcome.readings.set(kEvents, {{"canary", canary_.name}, {"result", "unparsable"}},
                       static_cast<double>(bad_events_));
  for (const char* kind : kSkippedKinds) {
    auto count = skipped_.find(kind);
    outcome.readings.set(kEvents, {{"canary", canary_.name}, {"result", kind}},
                         count == skipped_.end() ? 0.0 : static_cast<double>(count->second));
  }
  outcome.readings.set_histogram(kCanaryLatency, stage, latency_);
  std::optional<SeenCanary> seen;
  double skew = timeline_->clock_skew();
  if (newest_) seen = SeenCanary{newest_->event.written_at + skew, newest_->event.seq};
  outcome.status = report_stage_freshness(
      outcome.readings, stage, now, seen, to_unix_seconds(*started_),
      "no canary from agent_id " + canary_.agent_id + " seen on " + canary_.topic, read_error);
  if (db_to_capture_) {
    outcome.readings.set(kCanaryHopLatency, {{"canary", canary_.name}, {"hop", "db_to_capture"}},
                         *db_to_capture_);
  }
  if (capture_to_kafka_) {
    outcome.readings.set(kCanaryHopLatency, {{"canary", canary_.name}, {"hop", "capture_to_kafka"}},
                         *capture_to_kafka_);
  }
  decoder_.report(outcome.readings, canary_.name);
  if (!last_bad_event_.empty()) outcome.status["last_unparsable_event"] = last_bad_event_;
  if (sequence_restarts_ > 0) outcome.status["sequence_restarts"] = sequence_restarts_;
  if (!read_error.empty()) {
    outcome.fail("kafka", read_error);
  } else if (bad_events_ > bad_before) {
    outcome.fail("bad_event",
                 "canary " + canary_.name + ": unparsable change event on " + last_bad_event_);
  }
  return outcome;
}

}  // namespace cdcwatch
