#include "agent/silences/suppression_filter.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include "agent/silences/silence_file.h"

namespace cdcwatch {

SuppressionFilter::SuppressionFilter(const std::string& state_dir,
                                     std::vector<MaintenanceWindow> maintenance)
    : path_(silence_file_path(state_dir)), maintenance_(std::move(maintenance)) {}

void SuppressionFilter::refresh(TimePoint now) {
  FileSignature signature;  // a missing file: the defaults
  struct stat info {};
  if (::stat(path_.c_str(), &info) == 0) {
    signature = {info.st_ino, info.st_size,
                 int64_t{info.st_mtim.tv_sec} * 1'000'000'000 + info.st_mtim.tv_nsec};
  }
  if (!(signature == read_)) reload_silences(signature);
  active_silences_.clear();
  std::set<std::string> in_force;
  for (const auto& silence : silences_) {
    if (!silence.active_at(now)) continue;
    active_silences_.push_back(&silence);
    in_force.insert("silence " + silence.id + " (" + silence.matcher.text() + ", until " +
                    format_timestamp(silence.ends_at) + ")");
  }
  open_windows_.clear();
  for (const auto& window : maintenance_) {
    if (!window.open_at(now)) continue;
    open_windows_.push_back(&window);
    in_force.insert("maintenance " + window.name + " (" + window.matcher.text() + ")");
  }
  log_changes(in_force);
}

// Why a page did not come, or came: each silence and window in the log as it starts and ends.
void SuppressionFilter::log_changes(const std::set<std::string>& in_force) {
  for (const auto& started : in_force) {
    if (!in_force_.contains(started)) spdlog::info("{} holds the pages it matches", started);
  }
  for (const auto& ended : in_force_) {
    if (!in_force.contains(ended))
      spdlog::info("{} is over; what it held pages if it still fires", ended);
  }
  in_force_ = in_force;
}

void SuppressionFilter::reload_silences(const FileSignature& signature) {
  read_ = signature;
  try {
    silences_ = read_silences(path_);
    if (!problem_.empty()) spdlog::info("{} is readable again", path_);
    problem_.clear();
    spdlog::info("silences: {} read from {}", silences_.size(), path_);
  } catch (const std::exception& e) {
    if (problem_ != e.what()) {
      spdlog::error("{}; the {} silences read before stay in force", e.what(), silences_.size());
    }
    problem_ = e.what();
  }
}

std::optional<Suppression> SuppressionFilter::suppressed(const Labels& alert_labels) const {
  auto pipelines = label_value(alert_labels, "pipeline");
  if (!pipelines || pipelines->find(',') == std::string::npos) return covering(alert_labels);
  std::optional<Suppression> first;
  std::string_view rest = *pipelines;
  while (true) {
    size_t comma = rest.find(',');
    Labels one = alert_labels;
    for (auto& [name, value] : one) {
      if (name == "pipeline") value = std::string(rest.substr(0, comma));
    }
    auto covered = covering(one);
    if (!covered) return std::nullopt;
    if (!first) first = covered;
    if (comma == std::string_view::npos) return first;
    rest.remove_prefix(comma + 1);
  }
}

std::optional<Suppression> SuppressionFilter::covering(const Labels& alert_labels) const {
  for (const auto* silence : active_silences_) {
    if (silence->matcher.matches(alert_labels)) return Suppression{silence->id, ""};
  }
  for (const auto* window : open_windows_) {
    if (window->matcher.matches(alert_labels)) return Suppression{"", window->name};
  }
  return std::nullopt;
}

nlohmann::json SuppressionFilter::status_json() const {
  nlohmann::json out = {{"silences_file", path_}};
  out["active_silences"] = nlohmann::json::array();
  for (const auto* silence : active_silences_) out["active_silences"].push_back(to_json(*silence));
  out["open_maintenance"] = nlohmann::json::array();
  for (const auto* window : open_windows_) out["open_maintenance"].push_back(window->name);
  if (!problem_.empty()) out["silences_problem"] = problem_;
  return out;
}

}  // namespace cdcwatch
