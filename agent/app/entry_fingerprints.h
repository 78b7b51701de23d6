// Which config entry each probe runs, as a fingerprint that changes when the entry does, so a
// reload or a restart gives a probe back its saved state only while its entry is unchanged.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "agent/app/config.h"

namespace cdcwatch {

class EntryFingerprints {
 public:
  explicit EntryFingerprints(const Config& config);
  // Probes are named "<kind>/<entry>[/<stage>]". The fingerprint covers the entry as check-config
  // describes it (secrets redacted, so none reaches a state file) and the default interval; a probe
  // of an unknown kind gets the whole config's, so any change starts it fresh.
  std::string of(const std::string& probe) const;

 private:
  nlohmann::json effective_;
};

}  // namespace cdcwatch
