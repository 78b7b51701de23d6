// The command-line verbs. Each returns the process exit code (see kExit* below and the README).
#pragma once

#include <string>
#include <vector>

namespace cdcwatch {

inline constexpr int kExitOk = 0;
inline constexpr int kExitConfigInvalid = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitRuntime = 3;

int run_command(const std::string& config_path);
int check_config_command(const std::string& config_path);
int dispatch(const std::vector<std::string>& args);

}  // namespace cdcwatch
