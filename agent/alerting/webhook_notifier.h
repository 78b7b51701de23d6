// The same events as an Alertmanager webhook (version 4) POST, so existing Slack and Opsgenie
// bridges accept them. https://prometheus.io/docs/alerting/latest/configuration/#webhook_config
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
  WebhookConfig config_;
  std::string runbook_base_url_;
  std::string name_;
};

}  // namespace cdcwatch
