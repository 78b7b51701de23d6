#include "probes/pgconn/pg_source_config.h"

#include "probes/pgconn/dsn_redaction.h"

namespace cdcwatch {

PgSourceConfig parse_pg_source(const ConfigNode& node) {
  node.expect_keys({"name", "dsn", "slots", "interval", "wal_budget", "connect_timeout",
                    "statement_timeout", "growth_window"});
  PgSourceConfig config;
  config.name = node.required_string("name");
  config.dsn = node.child("dsn").as_secret();
  remember_dsn_passwords(config.dsn.value);
  config.slots = node.string_list_or("slots", {});
  config.interval = node.optional_duration_at_least("interval", kMinimumInterval);
  config.wal_budget = node.optional_size("wal_budget");
  config.connect_timeout = node.duration_or("connect_timeout", config.connect_timeout);
  if (config.connect_timeout < Millis(1000)) {
    node.child("connect_timeout").fail("must be at least 1s (libpq counts whole seconds)");
  }
  config.statement_timeout =
      node.duration_at_least("statement_timeout", config.statement_timeout, kMinimumInterval);
  config.growth_window =
      node.duration_at_least("growth_window", config.growth_window, kMinimumInterval);
  return config;
}

nlohmann::json describe(const PgSourceConfig& config) {
  nlohmann::json out = {{"name", config.name},
                        {"dsn", redact_dsn(config.dsn.display)},
                        {"slots", config.slots},
                        {"connect_timeout", format_duration(config.connect_timeout)},
                        {"statement_timeout", format_duration(config.statement_timeout)},
                        {"growth_window", format_duration(config.growth_window)}};
  if (config.interval) out["interval"] = format_duration(*config.interval);
  if (config.wal_budget) out["wal_budget"] = *config.wal_budget;
  return out;
}

}  // namespace cdcwatch
