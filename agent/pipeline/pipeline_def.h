// A pipeline end to end: which `postgres:` entry, slot, connectors, Kafka cluster, warehouse and
// canary each of its hops is. Declared in `pipelines:` or derived from Kafka Connect's connector
// configs (pipeline_derivation.h). Plain values.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace cdcwatch {

// The hops, upstream first: data flows source -> slot -> capture -> kafka -> sink -> warehouse.
enum class Hop { kSource, kSlot, kCapture, kKafka, kSink, kWarehouse };
inline constexpr Hop kHops[] = {Hop::kSource, Hop::kSlot, Hop::kCapture,
                                Hop::kKafka,  Hop::kSink, Hop::kWarehouse};
const char* to_string(Hop hop);
std::optional<Hop> hop_named(const std::string& name);

struct ConnectorRef {
  std::string connect;    // a `connect:` entry
  std::string connector;  // a connector of that cluster
};

struct PipelineDef {
  std::string name;
  std::string formed;  // how it was formed, for /status: a config line or the connectors matched
  std::optional<std::string> postgres;  // source
  std::optional<std::string> slot;
  std::optional<std::string> database;  // the slot's database, when derived (database.dbname)
  std::optional<ConnectorRef> capture;
  std::vector<std::string> topics;  // globs, as in `pipelines:`
  std::optional<ConnectorRef> sink;
  std::optional<std::string> kafka;  // where the topics and the sink's group are
  std::optional<std::string> warehouse;
  std::vector<std::string> tables;
  std::optional<std::string> canary;
};

// The consumer group a Connect sink connector commits its offsets as.
inline std::string sink_group(const std::string& connector) { return "connect-" + connector; }

}  // namespace cdcwatch
