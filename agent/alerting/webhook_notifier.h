// The same events as an Alertmanager webhook (version 4) POST, so existing Slack and Opsgenie
// bridges accept them. https://prometheus.io/docs/alerting/latest/configuration/#webhook_config
// One POST per page, grouped as cdcwatch groups its pages: a pipeline incident is one group
// (groupLabels {pipeline}, groupKey `{}:{pipeline="orders"}`) whose `alerts` are its symptom
// alerts; any other page is a group of its one alert. As Alertmanager builds the body
// (template.Data in prometheus/alertmanager template/template.go): `status` is firing while any
// alert of the group fires, commonLabels and commonAnnotations are what every alert shares.
#pragma once

#include "agent/alerting/notifier.h"

namespace cdcwatch {

class WebhookNotifier final : public Notifier {
 public:
  WebhookNotifier(WebhookConfig config, std::string runbook_base_url);
  const std::string& name() const override { return name_; }
  HttpRequest request_for(const AlertEvent& event) const override;
  // A receiver (a Slack bridge) would post a "resolved" for an alert nobody saw fire.
  bool wants(const AlertEvent& event) const override { return !event.unconfirmed; }
  nlohmann::json body_for(const AlertEvent& event) const;

 private:
  nlohmann::json one_alert(const AlertEvent& event) const;
  nlohmann::json pipeline_alerts(const AlertEvent& event) const;

  WebhookConfig config_;
  std::string runbook_base_url_;
  std::string name_;
};

}  // namespace cdcwatch
