// Runs a program (usually the real `cdcwatch` binary) as a child process for tests that need a
// whole process: signals, exit codes, SIGKILL mid-write, output checks. Output goes to files so
// it can be read after exit. Not thread-safe.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace cdcwatch::testing {

class ChildProcess {
 public:
  // Starts `argv` with extra environment entries ("NAME=value"); stdout/stderr captured.
  ChildProcess(std::vector<std::string> argv, std::vector<std::string> env = {});
  ~ChildProcess();  // SIGKILLs a child still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  void signal(int signal_number);
  // Waits for exit up to `timeout`; the exit code, or 128+signal when killed; nullopt on timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  bool running();
  std::string out() const;
  std::string err() const;
  const std::string& err_path() const { return err_path_; }  // for a person to `tail -f`
  // Polls stderr until `needle` appears or `timeout` passes.
  bool wait_for_err(const std::string& needle, std::chrono::milliseconds timeout) const;

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  std::string out_path_, err_path_;
};

// Runs to completion and returns {exit code, stdout, stderr}; kills it after `timeout`.
struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
RunResult run_process(std::vector<std::string> argv, std::vector<std::string> env = {},
                      std::chrono::milliseconds timeout = std::chrono::seconds(30));

// A fresh temporary directory, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  // Writes `content` to name (mode 0600) and returns its path.
  std::string write(const std::string& name, const std::string& content) const;

 private:
  std::string path_;
};

}  // namespace cdcwatch::testing
