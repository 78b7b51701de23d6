#include "agent/alerting/pagerduty_notifier.h"

#include <unistd.h>

namespace cdcwatch {
namespace {

constexpr size_t kMaxSummaryBytes = 1024;  // PagerDuty truncates payload.summary at 1024

// The affected system, as PagerDuty's `source` asks: the pipeline entity the alert is about.
std::string source_of(const AlertEvent& event) {
  for (const char* name :
       {"pipeline", "source", "connect", "kafka", "canary", "probe", "notifier"}) {
    if (auto value = label_value(event.labels, name)) return std::string(name) + "/" + *value;
  }
  char host[256] = "cdcwatch";
  gethostname(host, sizeof host - 1);
  return host;
}

}  // namespace

std::string truncate_utf8(const std::string& text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut);
}

PagerDutyNotifier::PagerDutyNotifier(PagerDutyConfig config, std::string runbook_base_url)
    : config_(std::move(config)), runbook_base_url_(std::move(runbook_base_url)) {}

const SecretString& PagerDutyNotifier::routing_key_for(const std::string& severity) const {
  auto it = config_.routing_keys.find(severity);
  return it != config_.routing_keys.end() ? it->second : config_.routing_key;
}

// A pipeline incident's details: the incident as the grouping wrote it, each runbook as a link.
nlohmann::json PagerDutyNotifier::incident_details(const AlertEvent& event) const {
  nlohmann::json details = event.incident;
  for (auto& symptom : details["symptoms"]) {
    std::string url = runbook_url(runbook_base_url_, symptom.value("runbook", ""));
    if (!url.empty()) symptom["runbook_url"] = url;
  }
  details["opened_at"] = format_timestamp(event.started_at);
  return details;
}

nlohmann::json PagerDutyNotifier::body_for(const AlertEvent& event) const {
  nlohmann::json body = {{"event_action", event.action_name()}, {"dedup_key", event.dedup_key}};
  if (event.action == AlertEvent::Action::kResolve) return body;
  nlohmann::json labels = nlohmann::json::object();
  for (const auto& [name, value] : event.labels) labels[name] = value;
  nlohmann::json details = {
      {"value", event.value},     {"condition", event.condition},
      {"for", event.for_text},    {"labels", labels},
      {"runbook", event.runbook}, {"firing_since", format_timestamp(event.started_at)}};
  if (!event.incident.is_null()) details = incident_details(event);
  body["payload"] = {{"summary", truncate_utf8(event.summary, kMaxSummaryBytes)},
                     {"timestamp", format_timestamp(event.created_at)},
                     {"source", source_of(event)},
                     {"severity", event.severity},
                     {"component", event.stage.empty() ? "cdc-pipeline" : event.stage},
                     {"group", "cdc-pipeline"},
                     {"class", event.alert},
                     {"custom_details", details}};
  nlohmann::json links = nlohmann::json::array();
  if (auto url = runbook_url(runbook_base_url_, event.runbook); !url.empty()) {
    links.push_back({{"href", url}, {"text", "Runbook: " + event.alert}});
  }
  if (!config_.dashboard_url.empty()) {
    links.push_back({{"href", config_.dashboard_url}, {"text", "cdcwatch dashboard"}});
  }
  body["links"] = links;
  body["client"] = "cdcwatch";
  return body;
}

HttpRequest PagerDutyNotifier::request_for(const AlertEvent& event) const {
  nlohmann::json body = body_for(event);
  body["routing_key"] = routing_key_for(event.severity).value;
  HttpRequest request;
  request.method = "POST";
  request.url = config_.url;
  request.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  request.timeout = config_.timeout;
  request.max_body_bytes = 64 << 10;
  return request;
}

std::string describe_pagerduty_answer(int status, const std::string& body) {
  std::string out = "HTTP " + std::to_string(status);
  auto answer = nlohmann::json::parse(body, nullptr, false);
  if (!answer.is_object()) return out + " " + truncate_utf8(body, 200);
  if (answer.contains("status") && answer["status"].is_string())
    out += " " + answer["status"].get<std::string>();
  if (answer.contains("message") && answer["message"].is_string())
    out += ": " + answer["message"].get<std::string>();
  if (answer.contains("errors") && answer["errors"].is_array()) {
    std::string errors;
    for (const auto& error : answer["errors"]) {
      if (error.is_string()) errors += (errors.empty() ? "" : "; ") + error.get<std::string>();
    }
    if (!errors.empty()) out += " (" + truncate_utf8(errors, 300) + ")";
  }
  return out;
}

}  // namespace cdcwatch
