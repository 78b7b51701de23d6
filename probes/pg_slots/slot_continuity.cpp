#include "probes/pg_slots/slot_continuity.h"

#include <cinttypes>
#include <cstdint>
#include <cstdio>

namespace cdcwatch {

const char* to_string(UnreadCause cause) {
  return cause == UnreadCause::kMovedBackwards ? "moved_backwards" : "recreated";
}

namespace {

bool server_restarted(const SlotSighting& last, const SlotSighting& now) {
  return last.postmaster_start_seconds != now.postmaster_start_seconds;
}

bool statistics_started_again(const SlotSighting& last, const SlotSighting& now) {
  if (!last.decoded_transactions || !now.decoded_transactions) return false;
  return *now.decoded_transactions < *last.decoded_transactions &&
         last.stats_reset_seconds == now.stats_reset_seconds && !server_restarted(last, now);
}

}  // namespace

std::optional<UnreadRange> unread_range(const SlotSighting& last, bool vanished_since,
                                        const SlotSighting& now) {
  if (now.confirmed_flush_bytes < last.confirmed_flush_bytes) {
    bool replayed_after_crash =
        server_restarted(last, now) && now.confirmed_flush_bytes >= last.restart_bytes;
    if (!replayed_after_crash) {
      return UnreadRange{now.confirmed_flush_bytes, last.confirmed_flush_bytes,
                         UnreadCause::kMovedBackwards};
    }
    return std::nullopt;
  }
  bool jumped = now.restart_bytes > last.confirmed_flush_bytes;
  if (jumped && (vanished_since || statistics_started_again(last, now))) {
    return UnreadRange{last.confirmed_flush_bytes, now.restart_bytes, UnreadCause::kRecreated};
  }
  return std::nullopt;
}

std::string format_lsn(double bytes) {
  auto lsn = static_cast<uint64_t>(bytes);
  char text[32];
  std::snprintf(text, sizeof text, "%" PRIX64 "/%" PRIX64, lsn >> 32, lsn & 0xffffffffu);
  return text;
}

}  // namespace cdcwatch
