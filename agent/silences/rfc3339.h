// RFC 3339 timestamps ("2026-12-01T02:00:00Z", "2026-12-01T03:00:00+01:00", fractions allowed),
// as maintenance windows and the silences file write them.
// https://www.rfc-editor.org/rfc/rfc3339#section-5.6
#pragma once

#include <optional>
#include <string_view>

#include "agent/core/clock.h"

namespace cdcwatch {

// nullopt unless `text` is a full date-time with an offset (Z or +hh:mm).
std::optional<TimePoint> parse_rfc3339(std::string_view text);

}  // namespace cdcwatch
