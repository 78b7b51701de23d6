#include "agent/alerting/pipeline_attribution.h"

#include <algorithm>
#include <functional>

#include "agent/core/text_case.h"
#include "agent/core/text_split.h"

namespace cdcwatch {
namespace {

using Placement = std::function<const char*(const PipelineSnapshot&)>;  // its hop, or null

std::vector<Attribution> place(const std::vector<PipelineSnapshot>& pipelines,
                               const Placement& placement) {
  std::vector<Attribution> out;
  for (const auto& pipeline : pipelines) {
    if (const char* hop = placement(pipeline)) out.push_back({pipeline.name, hop});
  }
  std::sort(out.begin(), out.end(),
            [](const Attribution& a, const Attribution& b) { return a.pipeline < b.pipeline; });
  return out;
}

bool is(const std::optional<std::string>& value, const std::string& wanted) {
  return value && *value == wanted;
}

bool on(const std::optional<ConnectorName>& ref, const std::string& connect) {
  return ref && ref->connect == connect;
}

bool is(const std::optional<ConnectorName>& ref, const std::string& connect,
        const std::string& connector) {
  return on(ref, connect) && ref->connector == connector;
}

// "PUBLIC.ORDERS" names the same table as "ANALYTICS.PUBLIC.ORDERS" or "analytics.public.orders"
// (Snowflake folds unquoted names to upper case): a name without its database is compared with the
// other's last parts.
bool same_table(const std::string& a, const std::string& b) {
  auto x = split(ascii_upper(a), '.'), y = split(ascii_upper(b), '.');
  if (x.size() > y.size()) std::swap(x, y);
  return x.size() >= 2 && std::equal(x.rbegin(), x.rend(), y.rbegin());
}

bool loads(const PipelineSnapshot& p, const std::string& table) {
  return std::any_of(p.tables.begin(), p.tables.end(),
                     [&](const std::string& each) { return same_table(each, table); });
}

const char* canary_stage_hop(const std::optional<std::string>& stage) {
  if (stage && *stage == "kafka") return "capture";
  return "warehouse";
}

}  // namespace

std::vector<Attribution> attribute(const Labels& labels,
                                   const std::vector<PipelineSnapshot>& pipelines) {
  auto label = [&](const char* name) { return label_value(labels, name); };
  if (auto named = label("pipeline")) {
    std::string hop = label("hop").value_or("");
    return place(pipelines, [&](const PipelineSnapshot& p) {
      return p.name == *named ? (hop.empty() ? "source" : hop.c_str()) : nullptr;
    });
  }
  if (auto source = label("source")) {
    if (auto slot = label("slot")) {
      return place(pipelines, [&](const PipelineSnapshot& p) {
        return is(p.postgres, *source) && is(p.slot, *slot) ? "slot" : nullptr;
      });
    }
    return place(pipelines, [&](const PipelineSnapshot& p) {
      return is(p.postgres, *source) ? "source" : nullptr;
    });
  }
  if (auto connect = label("connect")) {
    if (auto connector = label("connector")) {
      return place(pipelines, [&](const PipelineSnapshot& p) -> const char* {
        if (is(p.capture, *connect, *connector)) return "capture";
        return is(p.sink, *connect, *connector) ? "sink" : nullptr;
      });
    }
    return place(pipelines, [&](const PipelineSnapshot& p) -> const char* {
      if (on(p.capture, *connect)) return "capture";
      return on(p.sink, *connect) ? "sink" : nullptr;
    });
  }
  if (auto sink = label("sink")) {
    return place(pipelines, [&](const PipelineSnapshot& p) {
      bool reads =
          std::find(p.sink_entries.begin(), p.sink_entries.end(), *sink) != p.sink_entries.end();
      return reads ? "warehouse" : nullptr;
    });
  }
  if (auto kafka = label("kafka")) {
    if (auto group = label("group")) {
      return place(pipelines, [&](const PipelineSnapshot& p) {
        return is(p.kafka, *kafka) && p.sink && "connect-" + p.sink->connector == *group ? "sink"
                                                                                         : nullptr;
      });
    }
    return place(pipelines, [&](const PipelineSnapshot& p) {
      return is(p.kafka, *kafka) ? "kafka" : nullptr;
    });
  }
  if (auto canary = label("canary")) {
    const char* hop = canary_stage_hop(label("stage"));
    return place(pipelines,
                 [&](const PipelineSnapshot& p) { return is(p.canary, *canary) ? hop : nullptr; });
  }
  if (auto warehouse = label("warehouse")) {
    // A consistency check's `table` is the source table; its warehouse copy is warehouse_table.
    bool check = label("check").has_value();
    auto table = check ? label("warehouse_table") : label("table");
    if (check && !table) return {};
    return place(pipelines, [&](const PipelineSnapshot& p) {
      return is(p.warehouse, *warehouse) && (!table || loads(p, *table)) ? "warehouse" : nullptr;
    });
  }
  return {};
}

Labels attribution_labels(const std::vector<Attribution>& attributions) {
  if (attributions.empty()) return {};
  std::string pipelines;
  const Attribution* upstream = &attributions.front();
  for (const auto& each : attributions) {
    pipelines += (pipelines.empty() ? "" : ",") + each.pipeline;
    if (upstream_rank(each.hop) < upstream_rank(upstream->hop)) upstream = &each;
  }
  return {{"hop", upstream->hop}, {"pipeline", pipelines}};
}

}  // namespace cdcwatch
