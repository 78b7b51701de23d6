#include "agent/app/entry_fingerprints.h"

#include <map>

#include "agent/core/probe_state_store.h"

namespace cdcwatch {
namespace {

// The probe kinds build_probes makes and the config section each one's entries live in.
const std::map<std::string, std::string, std::less<>> kSectionOfKind = {
    {"pg_slots", "postgres"},       {"kafka", "kafka"},
    {"connect", "connect"},         {"canary", "canaries"},
    {"consistency", "consistency"}, {"sink_truth", "sinks"},
};

}  // namespace

EntryFingerprints::EntryFingerprints(const Config& config) : effective_(effective_config(config)) {}

std::string EntryFingerprints::of(const std::string& probe) const {
  size_t kind_end = probe.find('/');
  size_t entry_end = probe.find('/', kind_end == std::string::npos ? kind_end : kind_end + 1);
  auto section = kind_end == std::string::npos ? kSectionOfKind.end()
                                               : kSectionOfKind.find(probe.substr(0, kind_end));
  if (section != kSectionOfKind.end()) {
    std::string entry = probe.substr(kind_end + 1, entry_end - kind_end - 1);
    for (const auto& candidate : effective_.value(section->second, nlohmann::json::array())) {
      if (candidate.value("name", "") != entry) continue;
      return fingerprint_of(section->second + "\n" + candidate.dump() + "\n" +
                            effective_["agent"]["interval"].dump());
    }
  }
  return fingerprint_of(effective_.dump());
}

}  // namespace cdcwatch
