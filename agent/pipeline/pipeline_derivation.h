// Pipelines derived from Kafka Connect when the config has no `pipelines:` section. Each Debezium
// PostgreSQL source connector (connector.class io.debezium.connector.postgresql.PostgresConnector)
// gives a pipeline's source, slot, capture and topics; each sink connector reading those topics
// (topic_match.h) gives its sink and group connect-<sink>: one pipeline per source and sink, named
// after the source's topic prefix (and "-<sink>" when the source has several sinks). A Snowflake
// sink's `snowflake.topic2table.map` gives the warehouse tables.
// The source's `postgres:` entry is, in this order: the entry named as `database.hostname` (or as
// its first DNS label), the entry whose slot probe reports slot `slot.name` in database
// `database.dbname`, or the entry whose connection string names `database.hostname` and
// `database.port` (known before the server first answers); else none, and /status says so
// (declare it under `pipelines:`).
// Pure.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/pipeline/connector_catalog.h"
#include "agent/pipeline/pipeline_def.h"

namespace cdcwatch {

struct DerivationSetup {
  std::vector<std::string> postgres;  // postgres: entry names
  // Each postgres: entry's servers as "host:port", host in lower case (probes/pgconn
  // dsn_endpoints.h).
  std::map<std::string, std::vector<std::string>> postgres_addresses;
  std::map<std::string, std::optional<std::string>> connect_kafka;  // connect entry -> kafka
  struct Canary {
    std::string name, postgres;
    std::optional<std::string> warehouse;  // a warehouses: entry, when named
  };
  std::vector<Canary> canaries;
};

// Where each slot was seen: (slot, database) -> postgres entry.
using SlotSightings = std::map<std::pair<std::string, std::string>, std::string>;

bool is_postgres_source(const ConnectorInfo& connector);

std::vector<PipelineDef> derive_pipelines(const std::vector<ConnectorInfo>& connectors,
                                          const SlotSightings& slots, const DerivationSetup& setup);

}  // namespace cdcwatch
