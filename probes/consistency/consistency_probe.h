// Scheduled consistency checks of one `consistency:` entry: schema drift, duplicate keys in the
// warehouse, and row counts in a settled window, each query bounded by statement_timeout on its
// side. The scheduler never runs two cycles of a probe at once, so checks never overlap.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "agent/core/probe.h"
#include "probes/consistency/consistency_config.h"
#include "probes/consistency/schema_compare.h"
#include "probes/consistency/sql_side.h"

namespace cdcwatch {

class ConsistencyProbe final : public Probe {
 public:
  ConsistencyProbe(ConsistencyConfig config, std::unique_ptr<SqlSide> source,
                   std::unique_ptr<SqlSide> target);
  std::string name() const override { return "consistency/" + config_.name; }
  Millis interval() const override { return config_.interval; }
  // Every table's queries, each up to statement_timeout, on both sides.
  Millis timeout() const override;
  CollectOutcome collect(const CollectContext& ctx) override;
  void stop() override;

 private:
  struct Side {
    SqlSide* sql;
    const char* label;  // source or target
    double seconds = 0;
  };
  SqlRows timed(Side& side, const std::string& sql, const std::vector<std::string>& params,
                const CollectContext& ctx);
  std::optional<std::vector<ColumnInfo>> columns(Side& side, const std::string& table,
                                                 const CollectContext& ctx, std::string& error);
  std::string window_filter(const SqlSide& side, const TableCheckConfig& table) const;
  std::optional<double> count(Side& side, const std::string& sql,
                              const std::vector<std::string>& params, const CollectContext& ctx,
                              std::string& error);
  void check_table(const TableCheckConfig& table, const CollectContext& ctx,
                   CollectOutcome& outcome);

  ConsistencyConfig config_;
  std::unique_ptr<SqlSide> source_;
  std::unique_ptr<SqlSide> target_;
};

}  // namespace cdcwatch
