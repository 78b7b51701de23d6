#include "agent/alerting/webhook_notifier.h"

#include <cstdio>
#include <functional>

namespace cdcwatch {
namespace {

constexpr const char* kNeverEnds = "0001-01-01T00:00:00Z";  // Alertmanager's zero time

std::string fingerprint_of(const std::string& identity) {
  char fingerprint[17];
  std::snprintf(fingerprint, sizeof fingerprint, "%016zx", std::hash<std::string>{}(identity));
  return fingerprint;
}

// The `field` pairs (labels, annotations) every alert has with the same value.
nlohmann::json common(const nlohmann::json& alerts, const char* field) {
  nlohmann::json out = alerts.empty() ? nlohmann::json::object() : alerts[0][field];
  for (const auto& alert : alerts) {
    for (auto it = out.begin(); it != out.end();) {
      bool shared = alert[field].contains(it.key()) && alert[field][it.key()] == it.value();
      it = shared ? std::next(it) : out.erase(it);
    }
  }
  return out;
}

nlohmann::json group(const nlohmann::json& group_labels, nlohmann::json alerts) {
  std::string key;
  for (const auto& [name, value] : group_labels.items()) {
    key += (key.empty() ? "" : ", ") + name + "=\"" + value.get<std::string>() + "\"";
  }
  bool firing = std::any_of(alerts.begin(), alerts.end(), [](const nlohmann::json& alert) {
    return alert["status"] == "firing";
  });
  return {{"version", "4"},
          {"groupKey", "{}:{" + key + "}"},
          {"truncatedAlerts", 0},
          {"status", firing ? "firing" : "resolved"},
          {"receiver", "cdcwatch"},
          {"groupLabels", group_labels},
          {"commonLabels", common(alerts, "labels")},
          {"commonAnnotations", common(alerts, "annotations")},
          {"externalURL", ""},
          {"alerts", alerts}};
}

}  // namespace

WebhookNotifier::WebhookNotifier(WebhookConfig config, std::string runbook_base_url)
    : config_(std::move(config)),
      runbook_base_url_(std::move(runbook_base_url)),
      name_("webhook/" + config_.name) {}

nlohmann::json WebhookNotifier::one_alert(const AlertEvent& event) const {
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
  return {{"status", firing ? "firing" : "resolved"},
          {"labels", labels},
          {"annotations", annotations},
          {"startsAt", format_timestamp(event.started_at)},
          {"endsAt", firing ? kNeverEnds : format_timestamp(event.created_at)},
          {"generatorURL", ""},
          {"fingerprint", fingerprint_of(event.dedup_key)}};
}

// Each symptom as the alert it is; a resolve ends them all (the pipeline's alerts are all clear).
nlohmann::json WebhookNotifier::pipeline_alerts(const AlertEvent& event) const {
  bool firing = event.action == AlertEvent::Action::kTrigger;
  const nlohmann::json& incident = event.incident;
  nlohmann::json alerts = nlohmann::json::array();
  for (const auto& symptom : incident.value("symptoms", nlohmann::json::array())) {
    nlohmann::json labels = {{"alertname", symptom.value("alert", "")},
                             {"severity", symptom.value("severity", "")},
                             {"pipeline", incident.value("pipeline", "")},
                             {"hop", symptom.value("hop", "")},
                             {"root_hop", incident.value("root_hop", "")}};
    const nlohmann::json series = symptom.value("labels", nlohmann::json::object());
    for (const auto& [name, value] : series.items()) labels[name] = value;
    nlohmann::json annotations = {
        {"summary", symptom.value("summary", "")},
        {"description", symptom.value("alert", "") + ": value " + symptom.value("value_text", "") +
                            ", condition " + symptom.value("condition", "") + " for " +
                            symptom.value("for", "")},
        {"incident", event.summary}};
    if (auto url = runbook_url(runbook_base_url_, symptom.value("runbook", "")); !url.empty()) {
      annotations["runbook_url"] = url;
    }
    alerts.push_back({{"status", firing ? "firing" : "resolved"},
                      {"labels", labels},
                      {"annotations", annotations},
                      {"startsAt", symptom.value("firing_since", kNeverEnds)},
                      {"endsAt", firing ? kNeverEnds : format_timestamp(event.created_at)},
                      {"generatorURL", ""},
                      {"fingerprint", fingerprint_of(symptom.value("alert", "") + series.dump())}});
  }
  return alerts;
}

nlohmann::json WebhookNotifier::body_for(const AlertEvent& event) const {
  if (event.incident.is_null()) {
    return group({{"alertname", event.alert}}, nlohmann::json::array({one_alert(event)}));
  }
  return group({{"pipeline", event.incident.value("pipeline", "")}}, pipeline_alerts(event));
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
