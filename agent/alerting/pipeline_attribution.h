// Which pipeline and hop a firing alert instance is about, from the pipelines' definitions and the
// instance's labels alone (no rule name: a user's own rule on the same series is placed the same).
// The first row whose labels the instance carries decides:
//   pipeline (+ hop)      the pipeline it names (cdcwatch_pipeline_hop_status)  -> that hop
//   source + slot         the pipeline reading that slot on that postgres: entry -> slot
//   source                every pipeline on that postgres: entry                 -> source
//   connect + connector   the pipeline whose capture or sink it is   -> capture or sink
//   connect               every pipeline with a connector there      -> capture, else sink
//   sink                  the pipelines whose hops read that `sinks:` entry      -> warehouse
//   kafka + group         the pipeline whose sink commits as that group          -> sink
//   kafka                 every pipeline whose topics are there                  -> kafka
//   canary (+ stage)      every pipeline of that canary  -> capture (stage kafka), else warehouse
//   warehouse + check     the pipelines loading its warehouse_table there        -> warehouse
//   warehouse (+ table)   the pipelines loading that warehouse (and table)       -> warehouse
// Tables compare case-insensitively, by schema and table when one name lacks its database. A
// connector outside every pipeline is outside, though its Connect cluster serves one; anything
// else (probe health, notifiers, clock skew) is outside every pipeline and pages as it always has.
// An instance of a shared system (one PostgreSQL server or Kafka cluster under two pipelines)
// belongs to each. Pure functions.
#pragma once

#include <string>
#include <vector>

#include "agent/alerting/pipeline_snapshot.h"
#include "agent/core/readings.h"

namespace cdcwatch {

struct Attribution {
  std::string pipeline;
  std::string hop;
  bool operator==(const Attribution&) const = default;
};

// In pipeline name order; empty outside every pipeline.
std::vector<Attribution> attribute(const Labels& labels,
                                   const std::vector<PipelineSnapshot>& pipelines);

// The labels `pipeline` and `hop` that silences and pages match on: each pipeline's name, comma
// separated in name order when the instance belongs to several ("orders,payments"), and the hop
// (the most upstream one if they differ). Empty outside every pipeline.
Labels attribution_labels(const std::vector<Attribution>& attributions);

}  // namespace cdcwatch
