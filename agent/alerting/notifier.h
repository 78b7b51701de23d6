// A page's destination: turns an outbox event into the HTTP request its peer expects.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "agent/alerting/alert_event.h"
#include "agent/alerting/alerts_config.h"
#include "agent/http/http_client.h"

namespace cdcwatch {

class Notifier {
 public:
  virtual ~Notifier() = default;
  virtual const std::string& name() const = 0;  // the `notifier` label
  virtual HttpRequest request_for(const AlertEvent& event) const = 0;
  // Whether this peer gets the event at all; every event by default.
  virtual bool wants(const AlertEvent& event) const {
    (void)event;
    return true;
  }
  // What the peer's answer says, for logs and /status: by default the start of the body.
  virtual std::string describe_answer(int status, const std::string& body) const;
};

// "https://runbooks.example/runbooks/slot-lost.md", or empty without a base URL.
std::string runbook_url(const std::string& base_url, const std::string& runbook);

std::vector<std::unique_ptr<Notifier>> build_notifiers(const NotifiersConfig& config,
                                                       const std::string& runbook_base_url);

}  // namespace cdcwatch
