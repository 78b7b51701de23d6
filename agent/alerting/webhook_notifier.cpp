#include "agent/alerting/webhook_notifier.h"

#include <cstdio>
#include <functional>

namespace cdcwatch {

WebhookNotifier::WebhookNotifier(WebhookConfig config, std::string runbook_base_url)
    : config_(std::move(config)),
      runbook_base_url_(std::move(runbook_base_url)),
      name_("webhook/" + config_.name) {}

nlohmann::json WebhookNotifier::body_for(const AlertEvent& event) const {
  bool firing = event.action == AlertEvent::Action::kTrigger;
  nlohmann::json labels = {{"alertname", event.alert}, {"severity", event.severity}};
  if (!event.stage.empty()) labels["pipeline_stage"] = event.stage;
  for (const auto& [name, value] : event.labels) labels[name] = value;
  nlohmann::json annotations = {
      {"summary", event.summary},
      {"description", event.alert + ": value " + std::to_string(event.value) + ", condition " +
                          event.condition + " for " + event.for_text}};
  if (auto url = runbook_url(runbook_base_url_, event.runbook); !url.empty()) {
    annotations["runbook_url"] = url;
  }
  char fingerprint[17];
  std::snprintf(fingerprint, sizeof fingerprint, "%016zx",
                std::hash<std::string>{}(event.dedup_key));
  nlohmann::json alert = {
      {"status", firing ? "firing" : "resolved"},
      {"labels", labels},
      {"annotations", annotations},
      {"startsAt", format_timestamp(event.started_at)},
      {"endsAt", firing ? "0001-01-01T00:00:00Z" : format_timestamp(event.created_at)},
      {"generatorURL", ""},
      {"fingerprint", fingerprint}};
  return {{"version", "4"},         {"groupKey", "{}:{alertname=\"" + event.alert + "\"}"},
          {"truncatedAlerts", 0},   {"status", firing ? "firing" : "resolved"},
          {"receiver", "cdcwatch"}, {"groupLabels", {{"alertname", event.alert}}},
          {"commonLabels", labels}, {"commonAnnotations", annotations},
          {"externalURL", ""},      {"alerts", nlohmann::json::array({alert})}};
}

HttpRequest WebhookNotifier::request_for(const AlertEvent& event) const {
  HttpRequest request;
  request.method = "POST";
  request.url = config_.url.value;
  request.body = body_for(event).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  request.timeout = config_.timeout;
  request.max_body_bytes = 64 << 10;
  return request;
}

}  // namespace cdcwatch
