#include "tests/demo/page_narrator.h"

#include <algorithm>
#include <ctime>
#include <fstream>
#include <sstream>

namespace cdcwatch::demo {
namespace {

std::string clock_now() {
  std::time_t now = std::time(nullptr);
  char buffer[16];
  std::strftime(buffer, sizeof buffer, "%H:%M:%S", std::localtime(&now));
  return buffer;
}

// The agent's dedup_key is "<alert>:<label>=<value>,..." (agent/alerting/alert_event.h).
std::pair<std::string, std::string> split_dedup_key(const std::string& dedup_key) {
  auto colon = dedup_key.find(':');
  if (colon == std::string::npos) return {dedup_key, ""};
  return {dedup_key.substr(0, colon), dedup_key.substr(colon + 1)};
}

long seconds_since(std::chrono::steady_clock::time_point since) {
  return static_cast<long>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - since)
          .count());
}

}  // namespace

std::string runbook_meaning(const std::string& runbook_url) {
  const std::string scheme = "file://";
  if (runbook_url.rfind(scheme, 0) != 0) return "";
  std::ifstream in(runbook_url.substr(scheme.size()));
  std::string line, title, paragraph;
  bool in_section = false;
  while (std::getline(in, line)) {
    if (title.empty() && line.rfind("# ", 0) == 0) {
      auto colon = line.find(": ");
      title = colon == std::string::npos ? line.substr(2) : line.substr(colon + 2);
    } else if (line.rfind("## ", 0) == 0) {
      if (in_section) break;
      in_section = line == "## What fired and what it means";
    } else if (in_section && !line.empty()) {
      paragraph += "      " + line + "\n";
    }
  }
  if (title.empty()) return "";
  return "    What it means: " + title + ".\n" + paragraph;
}

void PageNarrator::on_event(const nlohmann::json& event) {
  std::string action = event.value("event_action", "");
  std::string dedup_key = event.value("dedup_key", "");
  std::string text;
  {
    std::lock_guard lock(mutex_);
    if (action == "trigger" && open_.count(dedup_key)) {
      text = "\n[" + clock_now() +
             "] still firing (PagerDuty keeps the one incident): " + open_[dedup_key].alert + "\n";
    } else if (action == "trigger") {
      open_[dedup_key] = {event["payload"].value("class", split_dedup_key(dedup_key).first),
                          std::chrono::steady_clock::now()};
      text = page_block(event);
    } else if (action == "resolve") {
      text = resolve_line(dedup_key);
    } else {
      text = "[" + clock_now() + "] " + action + " " + dedup_key + "\n";
    }
  }
  console_.print(text);
}

std::string PageNarrator::page_block(const nlohmann::json& event) const {
  const auto& payload = event["payload"];
  std::ostringstream out;
  out << "\n[" << clock_now() << "] PAGE " << payload.value("severity", "?") << "  "
      << payload.value("class", "?") << "  (stage: " << payload.value("component", "?") << ")\n"
      << "    " << payload.value("summary", "") << "\n";
  if (auto rule = demo_rules_.find(payload.value("class", "")); rule != demo_rules_.end()) {
    out << "    Fires in this demo at: " << rule->second << "\n";
  }
  for (const auto& link : event.value("links", nlohmann::json::array())) {
    std::string href = link.value("href", ""), text = link.value("text", "Link");
    bool runbook = text.rfind("Runbook", 0) == 0;
    out << (runbook ? runbook_meaning(href) : "") << "    " << (runbook ? "Runbook" : text) << ": "
        << href << "\n";
  }
  return out.str();
}

std::string PageNarrator::resolve_line(const std::string& dedup_key) {
  auto [alert, labels] = split_dedup_key(dedup_key);
  std::string open_for;
  if (auto it = open_.find(dedup_key); it != open_.end()) {
    open_for = ", open " + std::to_string(seconds_since(it->second.since)) + " s";
    open_.erase(it);
  }
  return "[" + clock_now() + "] RESOLVED " + alert + " (" + labels + ")" + open_for + "\n";
}

std::vector<std::string> PageNarrator::open_pages() const {
  std::lock_guard lock(mutex_);
  std::vector<std::pair<std::chrono::steady_clock::time_point, std::string>> by_age;
  for (const auto& [dedup_key, open] : open_) {
    by_age.emplace_back(open.since, open.alert + " (" + split_dedup_key(dedup_key).second +
                                        "), open " + std::to_string(seconds_since(open.since)) +
                                        " s");
  }
  std::sort(by_age.begin(), by_age.end());
  std::vector<std::string> out;
  for (auto& [since, text] : by_age) out.push_back(std::move(text));
  return out;
}

}  // namespace cdcwatch::demo
