// PagerDuty Events API v2: trigger on firing, resolve on clear, both with the instance's dedup_key.
// A pipeline incident's trigger carries the incident (root hop, impact, every symptom with its
// value, threshold and runbook, the hop's readings) as payload.custom_details.
// https://developer.pagerduty.com/docs/events-api-v2/trigger-events/
// https://developer.pagerduty.com/docs/events-api-v2/resolve-events/
#pragma once

#include "agent/alerting/notifier.h"

namespace cdcwatch {

// PagerDuty's answer
// (https://developer.pagerduty.com/docs/events-api-v2/overview/#response-codes--retry-logic):
// {"status": "success" | "invalid event", "message": ..., "dedup_key"?, "errors"?: [...]} as one
// line such as `HTTP 400 invalid event: Event object is invalid (payload.severity is missing)`;
// anything else (an HTML error page from a proxy) is shown cut short.
std::string describe_pagerduty_answer(int status, const std::string& body);

class PagerDutyNotifier final : public Notifier {
 public:
  PagerDutyNotifier(PagerDutyConfig config, std::string runbook_base_url);
  const std::string& name() const override { return name_; }
  HttpRequest request_for(const AlertEvent& event) const override;
  std::string describe_answer(int status, const std::string& body) const override {
    return describe_pagerduty_answer(status, body);
  }
  // The event body without the routing key (tests and the fuzz target use it).
  nlohmann::json body_for(const AlertEvent& event) const;

 private:
  const SecretString& routing_key_for(const std::string& severity) const;
  nlohmann::json incident_details(const AlertEvent& event) const;

  PagerDutyConfig config_;
  std::string runbook_base_url_;
  std::string name_ = "pagerduty";
};

// Cuts to at most `max_bytes` without splitting a UTF-8 character.
std::string truncate_utf8(const std::string& text, size_t max_bytes);

}  // namespace cdcwatch
