#include "agent/silences/silence_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "agent/core/durable_file.h"

namespace cdcwatch {

namespace {

// `cdcwatch silence` is often run as root while the agent runs as its own user (systemd's
// DynamicUser, deploy/systemd/cdcwatch.service): a root-owned 0600 file would be unreadable to the
// agent, so the files go to the state_dir's owner.
void give_to_state_dir_owner(const std::string& path) {
  struct stat dir {};
  std::string parent = std::filesystem::path(path).parent_path().string();
  if (::geteuid() != 0 || ::stat(parent.c_str(), &dir) != 0) return;
  if (::chown(path.c_str(), dir.st_uid, dir.st_gid) != 0) {
    throw std::runtime_error("cannot give " + path + " to the owner of " + parent + ": " +
                             std::strerror(errno));
  }
}

void sync_directory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

std::string silence_file_path(const std::string& state_dir) {
  return (std::filesystem::path(state_dir) / "silences.json").string();
}

std::vector<Silence> read_silences(const std::string& path) {
  auto content = read_whole_file(path);
  if (!content) {
    std::error_code error;
    if (std::filesystem::exists(path, error)) {
      throw SilenceFileError("cannot read " + path + "; check its owner and mode");
    }
    return {};
  }
  return parse_silences(*content, path);
}

std::vector<Silence> parse_silences(const std::string& content, const std::string& path) {
  auto damaged = [&](const std::string& what) {
    return SilenceFileError(path + " is damaged: " + what +
                            "; move it aside (the silences in it are then lost) or fix it");
  };
  auto json = nlohmann::json::parse(content, nullptr, false);
  if (json.is_discarded()) throw damaged("not valid JSON (cut short?)");
  if (!json.is_object() || !json.contains("version") || !json["version"].is_number_integer() ||
      !json.contains("silences") || !json["silences"].is_array()) {
    throw damaged("expected {\"version\": 1, \"silences\": [...]}");
  }
  int version = json["version"].get<int>();
  if (version > kSilenceFileVersion) {
    throw SilenceFileError(path + " has version " + std::to_string(version) +
                           ", written by a newer cdcwatch; upgrade this one");
  }
  std::vector<Silence> out;
  size_t index = 0;
  for (const auto& item : json["silences"]) {
    try {
      out.push_back(silence_from_json(item));
    } catch (const std::exception& e) {
      throw damaged("silences[" + std::to_string(index) + "]: " + e.what());
    }
    ++index;
  }
  return out;
}

void write_silences(const std::string& path, const std::vector<Silence>& silences, TimePoint now) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& silence : silences) {
    if (silence.ends_at + kKeepEnded >= now) list.push_back(to_json(silence));
  }
  nlohmann::json file = {{"version", kSilenceFileVersion}, {"silences", list}};
  std::string dir = std::filesystem::path(path).parent_path().string();
  create_private_directory(dir);
  // Owned right before it takes the name the agent watches, so the agent never sees it unreadable.
  std::string staged = path + ".new";
  write_file_durably(staged, file.dump(2) + "\n");
  give_to_state_dir_owner(staged);
  if (::rename(staged.c_str(), path.c_str()) != 0) {
    throw std::runtime_error("cannot rename " + staged + " into " + path + ": " +
                             std::strerror(errno));
  }
  sync_directory(dir);
}

SilenceFileLock::SilenceFileLock(const std::string& path) {
  create_private_directory(std::filesystem::path(path).parent_path().string());
  std::string lock_path = path + ".lock";
  fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    throw std::runtime_error("cannot open " + lock_path + ": " + std::strerror(errno));
  }
  give_to_state_dir_owner(lock_path);
  while (::flock(fd_, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    int saved = errno;
    ::close(fd_);
    throw std::runtime_error("cannot lock " + lock_path + ": " + std::strerror(saved));
  }
}

SilenceFileLock::~SilenceFileLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace cdcwatch
