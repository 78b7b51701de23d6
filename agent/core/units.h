// Strict parsing of the durations and sizes users write in config: "500ms", "15s", "5m", "1h",
// "512MiB", "10GiB", "5GB". Anything else is rejected rather than guessed.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cdcwatch {

using Millis = std::chrono::milliseconds;

// Accepts a non-negative integer or decimal followed by ms, s, m, h or d ("1.5s" is 1500 ms).
std::optional<Millis> parse_duration(std::string_view text);

// Accepts a plain byte count or a number with B, KB, MB, GB, TB (powers of 1000) or KiB, MiB,
// GiB, TiB (powers of 1024).
std::optional<uint64_t> parse_size(std::string_view text);

// "15s", "90m", "250ms": the largest unit that is exact, so parse_duration reads it back.
std::string format_duration(Millis value);

// "4.00 GiB", for messages meant for people.
std::string format_bytes(double bytes);

}  // namespace cdcwatch
