// Prints each PagerDuty event as the person holding the pager would want it explained: one block
// per page (when, severity, alert, stage, the summary, what it means from the runbook's "What fired
// and what it means", and the runbook's link) and one line per resolve (which alert, how long it
// was open). The agent logs every alert and delivery too; the demo keeps that log in a file so
// the terminal shows each page once. Thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/demo/console.h"

namespace cdcwatch::demo {

class PageNarrator {
 public:
  // `demo_rules`: per alert, the demo's threshold where it differs from the shipped one (the
  // runbooks state the shipped ones); said on each page of that alert.
  explicit PageNarrator(Console& console, std::map<std::string, std::string> demo_rules = {})
      : console_(console), demo_rules_(std::move(demo_rules)) {}

  void on_event(const nlohmann::json& event);
  // "CdcKafkaDown (kafka=msk), open 12 s" per open incident, oldest first.
  std::vector<std::string> open_pages() const;

 private:
  struct Open {
    std::string alert;
    std::chrono::steady_clock::time_point since;
  };
  std::string page_block(const nlohmann::json& event) const;
  std::string resolve_line(const std::string& dedup_key);

  Console& console_;
  const std::map<std::string, std::string> demo_rules_;
  mutable std::mutex mutex_;
  std::map<std::string, Open> open_;  // by dedup_key
};

// The runbook's one-line meaning (its title after the alert name) and its "What fired and what it
// means" paragraph, read from a file:// link; empty when the link is not a readable file.
std::string runbook_meaning(const std::string& runbook_url);

}  // namespace cdcwatch::demo
