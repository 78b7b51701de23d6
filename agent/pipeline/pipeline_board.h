// The latest pipelines with their hops as JSON (the shape of GET /api/pipelines), written by the
// pipeline stage each cycle and read by the HTTP endpoints. Thread-safe.
#pragma once

#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>

namespace cdcwatch {

class PipelineBoard {
 public:
  void publish(nlohmann::json pipelines) {
    if (observer_) observer_(pipelines);
    std::lock_guard lock(mutex_);
    pipelines_ = std::move(pipelines);
  }
  // Sees every publication (the agent's sparkline history). Set before the stage starts.
  void on_publish(std::function<void(const nlohmann::json&)> observer) {
    observer_ = std::move(observer);
  }
  // An array, one object per pipeline; empty until the stage's first cycle.
  nlohmann::json pipelines() const {
    std::lock_guard lock(mutex_);
    return pipelines_;
  }

 private:
  mutable std::mutex mutex_;
  nlohmann::json pipelines_ = nlohmann::json::array();
  std::function<void(const nlohmann::json&)> observer_;
};

}  // namespace cdcwatch
