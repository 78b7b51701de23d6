#include "agent/app/pipeline_history.h"

namespace cdcwatch {
namespace {

std::optional<double> number_at(const nlohmann::json& object, const char* key) {
  if (!object.is_object() || !object.contains(key) || !object[key].is_number()) return std::nullopt;
  return object[key].get<double>();
}

nlohmann::json series_json(const std::deque<std::pair<TimePoint, std::optional<double>>>& points,
                           const std::string& unit) {
  nlohmann::json out = {{"unit", unit}, {"points", nlohmann::json::array()}};
  for (const auto& [at, value] : points) {
    out["points"].push_back({to_unix_seconds(at), value ? nlohmann::json(*value) : nullptr});
  }
  return out;
}

}  // namespace

PipelineHistory::PipelineHistory(std::chrono::seconds span, std::chrono::seconds step)
    : span_(span), step_(step), capacity_(static_cast<size_t>(span / step)) {}

void PipelineHistory::record(TimePoint now, const nlohmann::json& pipelines) {
  std::lock_guard lock(mutex_);
  if (last_sample_ && now - *last_sample_ < step_) return;
  last_sample_ = now;
  forget_old(now);  // first, so a gone pipeline's place goes to a new one
  if (pipelines.is_array()) {
    for (const auto& pipeline : pipelines) {
      if (!pipeline.is_object() || !pipeline.contains("name") || !pipeline["name"].is_string()) {
        continue;
      }
      std::string name = pipeline["name"];
      if (!pipelines_.contains(name) && pipelines_.size() >= kMaxPipelines) continue;
      Pipeline& kept = pipelines_[name];
      kept.last_seen = now;
      add(kept.freshness, now, number_at(pipeline, "freshness_seconds"), "seconds");
      for (const auto& hop : pipeline.value("hops", nlohmann::json::array())) {
        if (!hop.is_object() || !hop.contains("hop") || !hop["hop"].is_string()) continue;
        nlohmann::json key = hop.value("key_reading", nlohmann::json::object());
        std::string unit = key.is_object() ? key.value("unit", "") : "";
        add(kept.hops[hop["hop"].get<std::string>()], now, number_at(key, "value"), unit);
      }
    }
  }
}

void PipelineHistory::add(Series& series, TimePoint now, std::optional<double> value,
                          std::string unit) {
  if (!unit.empty()) series.unit = std::move(unit);
  series.points.emplace_back(now, value);
  while (series.points.size() > capacity_) series.points.pop_front();
}

void PipelineHistory::forget_old(TimePoint now) {
  for (auto it = pipelines_.begin(); it != pipelines_.end();) {
    if (now - it->second.last_seen > span_) {
      it = pipelines_.erase(it);
      continue;
    }
    auto trim = [&](Series& series) {
      while (!series.points.empty() && now - series.points.front().first > span_) {
        series.points.pop_front();
      }
    };
    trim(it->second.freshness);
    for (auto& [hop, series] : it->second.hops) trim(series);
    ++it;
  }
}

nlohmann::json PipelineHistory::json() const {
  std::lock_guard lock(mutex_);
  nlohmann::json out = {{"span_seconds", span_.count()},
                        {"step_seconds", step_.count()},
                        {"pipelines", nlohmann::json::object()}};
  for (const auto& [name, pipeline] : pipelines_) {
    nlohmann::json hops = nlohmann::json::object();
    for (const auto& [hop, series] : pipeline.hops)
      hops[hop] = series_json(series.points, series.unit);
    out["pipelines"][name] = {
        {"freshness", series_json(pipeline.freshness.points, pipeline.freshness.unit)},
        {"hops", std::move(hops)}};
  }
  return out;
}

}  // namespace cdcwatch
