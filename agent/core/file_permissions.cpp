#include "agent/core/file_permissions.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace cdcwatch {

std::optional<std::string> private_key_file_problem(const std::string& path) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) {
    return "cannot read private key file " + path + ": " + std::strerror(errno);
  }
  if (!S_ISREG(info.st_mode)) return "private key " + path + " is not a regular file";
  if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return "private key file " + path + " is readable by other users; run `chmod 600 " + path +
           "` (and chown it to the "
           "user cdcwatch runs as)";
  }
  if (access(path.c_str(), R_OK) != 0) {
    return "cannot read private key file " + path + ": " + std::strerror(errno);
  }
  return std::nullopt;
}

}  // namespace cdcwatch
