// The `pipelines:` section (issue #16's contract): every field but `name` optional, each naming an
// entry of its section:
//   pipelines:
//     - name: orders
//       source: { postgres: shop, slot: debezium_orders }
//       capture: { connect: main, connector: orders-source }
//       topics: ["orders.public.*"]
//       sink: { connect: main, connector: orders-snowflake, kafka: main }
//       warehouse: { name: snowflake, tables: [ANALYTICS.PUBLIC.ORDERS] }
//       canary: shop
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "agent/core/config_node.h"
#include "agent/pipeline/pipeline_def.h"

namespace cdcwatch {

// What the other sections hold, for checking a pipeline's references at load time.
struct PipelineReferences {
  std::map<std::string, std::vector<std::string>>
      postgres_slots;                                          // entry -> `slots:` (may be empty)
  std::map<std::string, std::vector<std::string>> connectors;  // connect entry -> `connectors:`
  std::set<std::string> kafka;
  std::set<std::string> warehouses;
  std::set<std::string> canaries;
};

PipelineDef parse_pipeline(const ConfigNode& node);
// Throws ConfigError at the field's file:line when it names no entry of its section.
void check_pipeline_references(const ConfigNode& node, const PipelineDef& pipeline,
                               const PipelineReferences& references);
nlohmann::json describe(const PipelineDef& pipeline);

}  // namespace cdcwatch
