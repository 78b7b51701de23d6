// Fuzz target: the config loader must turn any bytes into a Config or a ConfigError, never a
// crash, a hang or another exception.
#include <cstddef>
#include <cstdint>
#include <string>

#include "agent/app/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    cdcwatch::Config config =
        cdcwatch::parse_config(cdcwatch::ConfigNode::load_string(text, "fuzz.yml"));
    (void)cdcwatch::to_yaml(cdcwatch::effective_config(config));
  } catch (const cdcwatch::ConfigError&) {
  }
  return 0;
}
