#include "agent/pipeline/pipeline_config.h"

#include <algorithm>

namespace cdcwatch {
namespace {

std::optional<std::string> optional_string(const ConfigNode& node, std::string_view key) {
  if (auto child = node.optional_child(key)) return child->as_string();
  return std::nullopt;
}

ConnectorRef parse_connector_ref(const ConfigNode& node) {
  return {node.required_string("connect"), node.required_string("connector")};
}

template <typename Names>
void expect_named(const ConfigNode& node, const Names& names, const std::string& name,
                  const std::string& section) {
  if (names.count(name)) return;
  node.fail("no " + section + " entry named '" + name + "'; name one of the " + section +
            ": entries");
}

// A slot or connector must be among the entry's own list when that entry lists them.
void expect_listed(const ConfigNode& node, const std::vector<std::string>& listed,
                   const std::string& name, const std::string& what, const std::string& entry) {
  if (listed.empty() || std::find(listed.begin(), listed.end(), name) != listed.end()) return;
  node.fail(what + " '" + name + "' is not among the " + what + "s " + entry +
            " watches; add it there or fix the name");
}

void check_connector(const ConfigNode& node, const ConnectorRef& ref,
                     const PipelineReferences& references) {
  expect_named(node.child("connect"), references.connectors, ref.connect, "connect");
  expect_listed(node.child("connector"), references.connectors.at(ref.connect), ref.connector,
                "connector", "connect entry '" + ref.connect + "'");
}

}  // namespace

const char* to_string(Hop hop) {
  switch (hop) {
    case Hop::kSource:
      return "source";
    case Hop::kSlot:
      return "slot";
    case Hop::kCapture:
      return "capture";
    case Hop::kKafka:
      return "kafka";
    case Hop::kSink:
      return "sink";
    case Hop::kWarehouse:
      return "warehouse";
  }
  return "source";
}

std::optional<Hop> hop_named(const std::string& name) {
  for (Hop hop : kHops) {
    if (name == to_string(hop)) return hop;
  }
  return std::nullopt;
}

PipelineDef parse_pipeline(const ConfigNode& node) {
  node.expect_keys({"name", "source", "capture", "topics", "sink", "warehouse", "canary"});
  PipelineDef pipeline;
  pipeline.name = node.required_string("name");
  pipeline.formed = "pipelines: entry at " + node.where();
  if (auto source = node.optional_child("source")) {
    source->expect_keys({"postgres", "slot"});
    pipeline.postgres = optional_string(*source, "postgres");
    pipeline.slot = optional_string(*source, "slot");
  }
  if (auto capture = node.optional_child("capture")) {
    capture->expect_keys({"connect", "connector"});
    pipeline.capture = parse_connector_ref(*capture);
  }
  pipeline.topics = node.string_list_or("topics", {});
  if (auto sink = node.optional_child("sink")) {
    sink->expect_keys({"connect", "connector", "kafka"});
    pipeline.sink = parse_connector_ref(*sink);
    pipeline.kafka = optional_string(*sink, "kafka");
  }
  if (auto warehouse = node.optional_child("warehouse")) {
    warehouse->expect_keys({"name", "tables"});
    pipeline.warehouse = warehouse->required_string("name");
    pipeline.tables = warehouse->string_list_or("tables", {});
  }
  pipeline.canary = optional_string(node, "canary");
  return pipeline;
}

void check_pipeline_references(const ConfigNode& node, const PipelineDef& pipeline,
                               const PipelineReferences& references) {
  if (pipeline.postgres) {
    ConfigNode source = node.child("source");
    expect_named(source.child("postgres"), references.postgres_slots, *pipeline.postgres,
                 "postgres");
    if (pipeline.slot) {
      expect_listed(source.child("slot"), references.postgres_slots.at(*pipeline.postgres),
                    *pipeline.slot, "slot", "postgres entry '" + *pipeline.postgres + "'");
    }
  } else if (pipeline.slot) {
    node.child("source").child("slot").fail("a slot needs its database: add postgres: <entry>");
  }
  if (pipeline.capture) check_connector(node.child("capture"), *pipeline.capture, references);
  if (pipeline.sink) check_connector(node.child("sink"), *pipeline.sink, references);
  if (pipeline.kafka) {
    expect_named(node.child("sink").child("kafka"), references.kafka, *pipeline.kafka, "kafka");
  }
  if (pipeline.warehouse) {
    expect_named(node.child("warehouse").child("name"), references.warehouses, *pipeline.warehouse,
                 "warehouses");
  }
  if (pipeline.canary) {
    expect_named(node.child("canary"), references.canaries, *pipeline.canary, "canaries");
  }
}

nlohmann::json describe(const PipelineDef& pipeline) {
  nlohmann::json out = {{"name", pipeline.name}, {"formed", pipeline.formed}};
  if (pipeline.postgres || pipeline.slot) {
    out["source"] = {{"postgres", pipeline.postgres.value_or("")},
                     {"slot", pipeline.slot.value_or("")}};
  }
  if (pipeline.capture) {
    out["capture"] = {{"connect", pipeline.capture->connect},
                      {"connector", pipeline.capture->connector}};
  }
  out["topics"] = pipeline.topics;
  if (pipeline.sink) {
    out["sink"] = {{"connect", pipeline.sink->connect},
                   {"connector", pipeline.sink->connector},
                   {"kafka", pipeline.kafka.value_or("")}};
  } else if (pipeline.kafka) {
    out["kafka"] = *pipeline.kafka;
  }
  if (pipeline.warehouse || !pipeline.tables.empty()) {
    out["warehouse"] = {{"name", pipeline.warehouse.value_or("")}, {"tables", pipeline.tables}};
  }
  if (pipeline.canary) out["canary"] = *pipeline.canary;
  return out;
}

}  // namespace cdcwatch
