#include "agent/alerting/notifier.h"

#include "agent/alerting/pagerduty_notifier.h"
#include "agent/alerting/webhook_notifier.h"

namespace cdcwatch {

std::string runbook_url(const std::string& base_url, const std::string& runbook) {
  if (base_url.empty() || runbook.empty()) return "";
  bool slash = base_url.ends_with('/');
  return base_url + (slash ? "" : "/") + runbook;
}

std::vector<std::unique_ptr<Notifier>> build_notifiers(const NotifiersConfig& config,
                                                       const std::string& runbook_base_url) {
  std::vector<std::unique_ptr<Notifier>> out;
  if (config.pagerduty) {
    out.push_back(std::make_unique<PagerDutyNotifier>(*config.pagerduty, runbook_base_url));
  }
  for (const auto& hook : config.webhooks) {
    out.push_back(std::make_unique<WebhookNotifier>(hook, runbook_base_url));
  }
  return out;
}

std::string Notifier::describe_answer(int status, const std::string& body) const {
  return "HTTP " + std::to_string(status) + " " + body.substr(0, 300);
}

}  // namespace cdcwatch
