#include "probes/canary/canary_order.h"

#include <spdlog/spdlog.h>

namespace cdcwatch {

bool replaces_newest(int64_t seq, double written_at, int64_t newest_seq, double newest_written_at,
                     const std::string& where, uint64_t& restarts) {
  CanaryOrder order = compare_canary(seq, written_at, newest_seq, newest_written_at);
  if (order == CanaryOrder::kSequenceRestarted) {
    ++restarts;
    spdlog::warn(
        "{}: sequence {} written after sequence {}: the canary table was recreated; following "
        "the new sequence",
        where, seq, newest_seq);
  }
  return order != CanaryOrder::kNotNewer;
}

}  // namespace cdcwatch
