#include "agent/http/request_workers.h"

namespace cdcwatch {

RequestWorkers::RequestWorkers(size_t general, size_t queue_limit, Answer answer)
    : queue_limit_(queue_limit), answer_(std::move(answer)) {
  threads_.emplace_back([this] { work(true); });
  for (size_t i = 0; i < std::max<size_t>(1, general); ++i) {
    threads_.emplace_back([this] { work(false); });
  }
}

RequestWorkers::~RequestWorkers() { stop(); }

bool RequestWorkers::submit(std::unique_ptr<ServerConnection> connection, bool health_check) {
  {
    std::lock_guard lock(mutex_);
    auto& queue = health_check ? health_ : general_;
    if (stopping_ || queue.size() >= queue_limit_) return false;
    queue.push_back(std::move(connection));
  }
  wake_.notify_all();
  return true;
}

void RequestWorkers::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    general_.clear();
    health_.clear();
  }
  wake_.notify_all();
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

void RequestWorkers::work(bool health_checks_only) {
  while (true) {
    std::unique_ptr<ServerConnection> connection;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] {
        return stopping_ || !health_.empty() || (!health_checks_only && !general_.empty());
      });
      if (stopping_) return;
      auto& queue = !health_.empty() ? health_ : general_;
      connection = std::move(queue.front());
      queue.pop_front();
    }
    answer_(std::move(connection));
  }
}

}  // namespace cdcwatch
