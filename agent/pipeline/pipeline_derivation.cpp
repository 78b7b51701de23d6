#include "agent/pipeline/pipeline_derivation.h"

#include <algorithm>

#include "agent/core/text_case.h"
#include "agent/pipeline/topic_match.h"

namespace cdcwatch {
namespace {

// The postgres: entry of a source connector, and how it was matched.
std::pair<std::optional<std::string>, std::string> match_postgres(const ConnectorInfo& source,
                                                                  const std::string& slot,
                                                                  const SlotSightings& slots,
                                                                  const DerivationSetup& setup) {
  std::string host = source.config_or("database.hostname", "");
  std::string first_label = host.substr(0, host.find('.'));
  for (const auto& name : setup.postgres) {
    if (!host.empty() && (name == host || name == first_label)) {
      return {name, "postgres " + name + " named as database.hostname " + host};
    }
  }
  auto seen = slots.find({slot, source.config_or("database.dbname", "")});
  if (seen != slots.end()) {
    return {seen->second, "postgres " + seen->second + " reports slot " + slot};
  }
  std::string address = ascii_lower(host) + ":" + source.config_or("database.port", "5432");
  for (const auto& name : setup.postgres) {
    auto addresses = setup.postgres_addresses.find(name);
    if (host.empty() || addresses == setup.postgres_addresses.end()) continue;
    if (std::ranges::find(addresses->second, address) != addresses->second.end())
      return {name, "postgres " + name + " connects to database.hostname:port " + address};
  }
  return {std::nullopt, "no postgres: entry named as database.hostname '" + host +
                            "', reporting slot " + slot + " or connecting to " + address +
                            " (declare it under pipelines: source.postgres)"};
}

PipelineDef source_pipeline(const ConnectorInfo& source, const SlotSightings& slots,
                            const DerivationSetup& setup) {
  PipelineDef pipeline;
  pipeline.name =
      source.config_or("topic.prefix", source.config_or("database.server.name", source.name));
  pipeline.slot = source.config_or("slot.name", "debezium");
  if (auto database = source.config.find("database.dbname"); database != source.config.end()) {
    pipeline.database = database->second;
  }
  auto [postgres, how] = match_postgres(source, *pipeline.slot, slots, setup);
  pipeline.postgres = postgres;
  pipeline.capture = ConnectorRef{source.connect, source.name};
  pipeline.topics = source_topics(source);
  auto kafka = setup.connect_kafka.find(source.connect);
  if (kafka != setup.connect_kafka.end()) pipeline.kafka = kafka->second;
  for (const auto& canary : setup.canaries) {
    if (postgres && canary.postgres == *postgres) {
      pipeline.canary = canary.name;
      pipeline.warehouse = canary.warehouse;
      break;
    }
  }
  pipeline.formed = "derived from connect/" + source.connect + " source connector " + source.name +
                    " (slot " + *pipeline.slot + "); " + how;
  return pipeline;
}

}  // namespace

bool is_postgres_source(const ConnectorInfo& connector) {
  return connector.type == "source" &&
         connector.config_or("connector.class", "").find("postgresql.PostgresConnector") !=
             std::string::npos;
}

std::vector<PipelineDef> derive_pipelines(const std::vector<ConnectorInfo>& connectors,
                                          const SlotSightings& slots,
                                          const DerivationSetup& setup) {
  std::vector<PipelineDef> out;
  for (const auto& source : connectors) {
    if (!is_postgres_source(source)) continue;
    PipelineDef base = source_pipeline(source, slots, setup);
    std::vector<const ConnectorInfo*> sinks;
    for (const auto& sink : connectors) {
      if (sink.type == "sink" && sink_reads(sink, base.topics)) sinks.push_back(&sink);
    }
    if (sinks.empty()) {
      base.formed += "; no sink connector reads its topics";
      out.push_back(base);
    }
    for (const auto* sink : sinks) {
      PipelineDef pipeline = base;
      if (sinks.size() > 1) pipeline.name += "-" + sink->name;
      pipeline.sink = ConnectorRef{sink->connect, sink->name};
      pipeline.tables = sink_tables(*sink, base.topics);
      auto kafka = setup.connect_kafka.find(sink->connect);
      if (kafka != setup.connect_kafka.end() && kafka->second) pipeline.kafka = kafka->second;
      pipeline.formed +=
          "; sink connector " + sink->name + " on connect/" + sink->connect + " reads its topics";
      out.push_back(std::move(pipeline));
    }
  }
  std::sort(out.begin(), out.end(),
            [](const PipelineDef& a, const PipelineDef& b) { return a.name < b.name; });
  return out;
}

}  // namespace cdcwatch
