// The label sets a silence or maintenance window may match an alert instance on: its alert labels
// with its own `pipeline` and `hop`; and, for an instance of one pipeline whose root hop (the most
// upstream hop the pipeline stage sees failing) lies upstream of its own, the same labels with
// `hop` set to that root. So silencing `pipeline=orders,hop=sink` also holds the downstream
// symptoms the sink causes (the warehouse going stale), which the pipeline incident lists under
// the sink; a failure upstream of the sink still pages. Pure function.
#pragma once

#include <vector>

#include "agent/alerting/incident_book.h"
#include "agent/alerting/pipeline_snapshot.h"

namespace cdcwatch {

std::vector<Labels> silence_label_sets(const ActiveInstance& instance, const Labels& alert_labels,
                                       const std::vector<PipelineSnapshot>& pipelines);

}  // namespace cdcwatch
