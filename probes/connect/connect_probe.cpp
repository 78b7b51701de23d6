#include "probes/connect/connect_probe.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

#include "agent/core/secrets.h"
#include "agent/http/http_client.h"
#include "probes/connect/connect_metrics.h"

namespace cdcwatch {
namespace {

using namespace connect_metrics;  // NOLINT(google-build-using-namespace): this probe's own

// Connectors whose progress is kept across restarts; more than a cluster plausibly has.
constexpr size_t kMaxSavedConnectors = 10000;

const std::vector<std::string> kStatesAndMissing = {"UNASSIGNED", "RUNNING",    "PAUSED", "STOPPED",
                                                    "FAILED",     "RESTARTING", "MISSING"};

std::string describe_failure(const HttpResponse& response, const std::string& what) {
  if (!response.transport_ok()) return what + ": " + response.error;
  auto body = nlohmann::json::parse(response.body, nullptr, false);
  std::string message = body.is_object() && body.contains("message") && body["message"].is_string()
                            ? body["message"].get<std::string>()
                            : response.body.substr(0, 200);
  return what + " answered " + std::to_string(response.status) + ": " + scrub_secrets(message);
}

// The config keys that place a connector in a pipeline, as labels for the pipeline stage.
Labels info_labels(const ConnectorStatus& connector, Labels labels) {
  for (const auto& key : kInfoKeys) {
    auto it = connector.config.find(key.config_key);
    labels.emplace_back(key.label, it == connector.config.end() ? "" : it->second);
  }
  return labels;
}

}  // namespace

ConnectProbe::ConnectProbe(ConnectConfig config, const KafkaClusterConfig* kafka,
                           Millis default_interval)
    : config_(std::move(config)), interval_(config_.interval.value_or(default_interval)) {
  if (kafka) kafka_ = *kafka;
}

HttpResponse ConnectProbe::get(const std::string& path, TimePoint deadline, const Clock& clock) {
  HttpRequest request;
  request.url = config_.url + path;
  request.headers = {{"Accept", "application/json"}};
  request.ca_file = config_.ca_file;
  if (config_.username) request.basic_auth = {config_.username->value, config_.password->value};
  request.timeout = time_left(deadline, clock, config_.request_timeout);
  request.canceller = &canceller_;
  HttpResponse response = send_http(request);
  if (response.transport_ok() && response.status == 409 && clock.now() + Millis(500) < deadline) {
    // A rebalance is in progress (the leader may change): one retry after a short pause.
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    response = send_http(request);
  }
  if (response.timed_out) request_timed_out_ = true;
  return response;
}

std::string ConnectProbe::read_connectors(const CollectContext& ctx,
                                          std::vector<ConnectorStatus>& out, bool& reachable) {
  HttpResponse listing = get("/connectors?expand=status&expand=info", ctx.deadline, ctx.clock);
  reachable = listing.transport_ok() && listing.status < 500;
  if (!listing.success()) return describe_failure(listing, "GET /connectors");
  ExpandedParse parsed = parse_expanded_connectors(listing.body);
  if (!parsed.error.empty()) {
    reachable = false;
    return parsed.error + " from " + config_.url;
  }
  if (!parsed.names) {
    out = std::move(parsed.connectors);
    return "";
  }
  // A worker older than Kafka 2.3 ignores expand: one status and one info call per connector.
  for (const auto& name : *parsed.names) {
    if (!config_.connectors.empty() &&
        std::find(config_.connectors.begin(), config_.connectors.end(), name) ==
            config_.connectors.end()) {
      continue;
    }
    ConnectorStatus connector;
    connector.name = name;
    HttpResponse status =
        get("/connectors/" + url_encode(name) + "/status", ctx.deadline, ctx.clock);
    if (!status.success()) return describe_failure(status, "GET /connectors/" + name + "/status");
    auto body = nlohmann::json::parse(status.body, nullptr, false);
    if (std::string error = parse_connector_status(body, connector); !error.empty()) return error;
    HttpResponse info = get("/connectors/" + url_encode(name), ctx.deadline, ctx.clock);
    if (info.success())
      apply_connector_info(nlohmann::json::parse(info.body, nullptr, false), connector);
    if (connector.type.empty()) connector.type = "unknown";
    out.push_back(std::move(connector));
  }
  return "";
}

std::optional<double> ConnectProbe::progress_value(const ConnectorStatus& connector,
                                                   const CollectContext& ctx, std::string& method) {
  if (offsets_api_ != false) {
    HttpResponse answer =
        get("/connectors/" + url_encode(connector.name) + "/offsets", ctx.deadline, ctx.clock);
    if (answer.success()) {
      offsets_api_ = true;
      OffsetsAnswer offsets = parse_offsets_answer(answer.body);
      method = "offsets API";
      return connector.type == "sink" ? offsets.sink_offset_sum : offsets.source_lsn;
    }
    if (answer.transport_ok() && (answer.status == 404 || answer.status == 405))
      offsets_api_ = false;
  }
  if (connector.type == "sink") {
    method = "none from Connect (the pipeline stage reads group connect-" + connector.name + ")";
    return std::nullopt;
  }
  if (connector.type == "source" && kafka_ && !offsets_topic_) {
    offsets_topic_ = std::make_unique<OffsetsTopicReader>(*kafka_, config_.offsets_topic);
    try {
      offsets_topic_error_ = offsets_topic_->poll(2000);
    } catch (const std::exception& e) {
      offsets_topic_error_ = e.what();
    }
  }
  if (connector.type == "source" && offsets_topic_) {
    method = "offsets topic " + config_.offsets_topic;
    std::optional<double> lsn;
    for (const auto& [partition, offset] : offsets_topic_->offsets_of(connector.name)) {
      if (auto committed = debezium_committed_lsn(offset))
        lsn = std::max(lsn.value_or(0), *committed);
    }
    return lsn;
  }
  method = "none (set kafka: for offsets on workers without the offsets API)";
  return std::nullopt;
}

void ConnectProbe::report(const ConnectorStatus& connector, const CollectContext& ctx,
                          CollectOutcome& outcome) {
  Labels labels = {
      {"connect", config_.name}, {"connector", connector.name}, {"type", connector.type}};
  for (const auto& state : kStatesAndMissing) {
    Labels with = labels;
    with.emplace_back("state", state);
    outcome.readings.set(kState, with, state == connector.state ? 1 : 0);
  }
  nlohmann::json tasks = nlohmann::json::array();
  for (const char* state : kConnectorStates) {
    int count = 0;
    for (const auto& task : connector.tasks) count += task.state == state ? 1 : 0;
    Labels with = labels;
    with.emplace_back("state", state);
    outcome.readings.set(kTasks, with, count);
  }
  for (const auto& task : connector.tasks) {
    for (const char* state : kConnectorStates) {
      Labels with = labels;
      with.emplace_back("task", std::to_string(task.id));
      with.emplace_back("state", state);
      outcome.readings.set(kTaskState, with, task.state == state ? 1 : 0);
    }
    nlohmann::json shown = {{"id", task.id}, {"state", task.state}};
    if (!task.trace_first_line.empty()) shown["trace"] = scrub_secrets(task.trace_first_line);
    tasks.push_back(shown);
  }
  nlohmann::json status = {{"type", connector.type}, {"state", connector.state}, {"tasks", tasks}};
  if (connector.state != "MISSING") outcome.readings.set(kInfo, info_labels(connector, labels), 1);
  if (connector.state == "MISSING") {
    status["note"] = "listed under connectors: but not in the cluster (deleted or renamed?)";
    outcome.status["connectors"][connector.name] = status;
    return;
  }

  TimePoint now = ctx.clock.now();
  std::string method;
  std::optional<double> value = progress_value(connector, ctx, method);
  Progress& progress = progress_[connector.name];
  if (!progress.value || (value && *value != *progress.value)) progress.since = now;
  if (value) progress.value = value;
  progress.method = method;
  if (progress.value) {
    double since = std::chrono::duration<double>(now - progress.since).count();
    outcome.readings.set(kLastProgress, labels, to_unix_seconds(progress.since));
    outcome.readings.set(kSinceProgress, labels, since);
  }
  if (connector.type == "source" && value) outcome.readings.set(kSourceLsn, labels, *value);
  status["progress_from"] = method;
  outcome.status["connectors"][connector.name] = status;
}

CollectOutcome ConnectProbe::collect(const CollectContext& ctx) {
  CollectOutcome outcome;
  Labels cluster = {{"connect", config_.name}};
  std::vector<ConnectorStatus> connectors;
  bool reachable = false;
  request_timed_out_ = false;
  std::string error = read_connectors(ctx, connectors, reachable);
  outcome.readings.set(kUp, cluster, reachable && error.empty() ? 1 : 0);
  if (!error.empty()) {
    const char* reason = request_timed_out_ ? "timeout" : reachable ? "response" : "connect";
    outcome.fail(reason, "connect " + config_.name + ": " + error);
    return outcome;
  }
  if (!config_.connectors.empty()) {
    std::vector<ConnectorStatus> wanted;
    for (const auto& name : config_.connectors) {
      auto it = std::find_if(connectors.begin(), connectors.end(),
                             [&](const auto& c) { return c.name == name; });
      wanted.push_back(
          it != connectors.end() ? *it : ConnectorStatus{name, "unknown", "MISSING", {}, {}});
    }
    connectors = std::move(wanted);
  }
  if (offsets_topic_) {
    // Half the cycle's time left, 100 ms to 2 s: the offsets topic must not starve the rest.
    int budget =
        static_cast<int>(time_left(ctx.deadline, ctx.clock, Millis(4000), Millis(200)).count() / 2);
    try {
      offsets_topic_error_ = offsets_topic_->poll(budget);
    } catch (const std::exception& e) {
      offsets_topic_error_ = e.what();
    }
  }
  outcome.status = {
      {"connectors", nlohmann::json::object()},
      {"offsets_api", offsets_api_ ? nlohmann::json(*offsets_api_) : nlohmann::json(nullptr)}};
  if (!offsets_topic_error_.empty()) outcome.status["offsets_topic_error"] = offsets_topic_error_;
  for (const auto& connector : connectors) report(connector, ctx, outcome);
  for (auto it = progress_.begin(); it != progress_.end();) {
    bool present = std::any_of(connectors.begin(), connectors.end(),
                               [&](const auto& c) { return c.name == it->first; });
    it = present ? std::next(it) : progress_.erase(it);
  }
  return outcome;
}

nlohmann::json ConnectProbe::save_state() const {
  nlohmann::json progress = nlohmann::json::object();
  for (const auto& [name, saved] : progress_) {
    if (saved.value)
      progress[name] = {{"value", *saved.value}, {"since", to_unix_seconds(saved.since)}};
  }
  return {{"progress", progress}};
}

void ConnectProbe::restore_state(const nlohmann::json& state) {
  if (state.is_null()) return;
  if (!state.is_object() || !state.contains("progress") || !state["progress"].is_object()) {
    spdlog::warn("{}: saved state is not {{\"progress\": {{...}}}}; progress is timed afresh",
                 name());
    return;
  }
  for (const auto& [connector, saved] : state["progress"].items()) {
    if (progress_.size() >= kMaxSavedConnectors) break;
    if (!saved.is_object() || !saved.contains("value") || !saved["value"].is_number() ||
        !saved.contains("since") || !saved["since"].is_number()) {
      spdlog::warn("{}: ignoring malformed saved progress of connector {}", name(), connector);
      continue;
    }
    auto since = std::chrono::duration<double>(saved["since"].get<double>());
    progress_[connector] = {saved["value"].get<double>(),
                            TimePoint(std::chrono::duration_cast<TimePoint::duration>(since)),
                            "restored"};
  }
}

}  // namespace cdcwatch
