#include "agent/core/logging.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "agent/core/clock.h"
#include "agent/core/secrets.h"

namespace cdcwatch {
namespace {

// Formats lines itself rather than with a spdlog pattern so that JSON escaping and secret
// scrubbing apply to the message whatever it contains.
class ScrubbingStderrSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit ScrubbingStderrSink(bool json) : json_(json) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    std::string text = scrub_secrets(std::string(msg.payload.data(), msg.payload.size()));
    std::string time = format_timestamp(msg.time);
    auto level_view = spdlog::level::to_string_view(msg.level);
    std::string level(level_view.data(), level_view.size());
    std::string line;
    if (json_) {
      line = nlohmann::json{{"time", time}, {"level", level}, {"msg", text}}.dump(
                 -1, ' ', false, nlohmann::json::error_handler_t::replace) +
             "\n";
    } else {
      line = time + " " + level + " " + text + "\n";
    }
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
  void flush_() override { std::fflush(stderr); }

 private:
  bool json_;
};

}  // namespace

void init_logging(const std::string& format, const std::string& level) {
  if (format != "text" && format != "json") {
    throw std::invalid_argument("log_format must be text or json");
  }
  auto parsed = spdlog::level::from_str(level);
  if (parsed == spdlog::level::off && level != "off") {
    throw std::invalid_argument("log_level must be trace, debug, info, warn or error");
  }
  auto logger = std::make_shared<spdlog::logger>(
      "cdcwatch", std::make_shared<ScrubbingStderrSink>(format == "json"));
  logger->set_level(parsed);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

bool StateChangeLog::report(const std::string& key, bool healthy, const std::string& detail) {
  {
    std::lock_guard lock(mutex_);
    auto it = healthy_.find(key);
    if (it != healthy_.end() && it->second == healthy) return false;
    healthy_[key] = healthy;
  }
  if (healthy) {
    spdlog::info("{} is up{}{}", key, detail.empty() ? "" : ": ", detail);
  } else {
    spdlog::warn("{} is down: {}", key, detail);
  }
  return true;
}

}  // namespace cdcwatch
