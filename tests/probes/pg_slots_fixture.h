// The source entry the slot-probe tests watch: source "orders", a 10-minute growth window so that
// windows are judged on the injectable clock.
#pragma once

#include <string>
#include <vector>

#include "probes/pgconn/pg_source_config.h"

namespace cdcwatch::testing {

inline PgSourceConfig orders_source(const std::string& dsn, std::vector<std::string> slots = {}) {
  PgSourceConfig c;
  c.name = "orders";
  c.dsn = resolve_secrets(dsn);
  c.slots = std::move(slots);
  c.growth_window = Millis(600'000);
  return c;
}

}  // namespace cdcwatch::testing
