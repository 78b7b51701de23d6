// The canary's first stage: writes (or, in observe mode, reads) the canary row once per interval
// and reports the last written sequence number and the clock skew to the database.
#pragma once

#include <memory>

#include "agent/core/probe.h"
#include "probes/canary/canary_timeline.h"
#include "probes/canary/canary_writer.h"

namespace cdcwatch {

class CanaryWriterProbe final : public Probe {
 public:
  CanaryWriterProbe(const CanaryConfig& canary, const PgSourceConfig& source,
                    std::shared_ptr<CanaryTimeline> timeline);
  std::string name() const override { return "canary/" + canary_.name + "/writer"; }
  Millis interval() const override { return canary_.interval; }
  CollectOutcome collect(const CollectContext& ctx) override;
  void stop() override { writer_.cancel(); }
  // The last canary written and the clock skew measured with it (issue #15 item 5): restored, the
  // observers correct by the known skew from their first cycle.
  nlohmann::json save_state() const override;
  void restore_state(const nlohmann::json& state) override;

 private:
  CanaryConfig canary_;
  std::string peer_;
  CanaryWriter writer_;
  std::shared_ptr<CanaryTimeline> timeline_;
  uint64_t writes_ok_ = 0;
  uint64_t writes_failed_ = 0;
  std::optional<CanaryWrite> last_;
};

}  // namespace cdcwatch
