// Child processes for end-to-end tests: start a built binary with flags, find the ports it
// chose (via --port_file), signal it, and collect its exit status. Output goes to a log
// file that tests print when something fails.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace crm::testing {

class ChildProcess final {
 public:
  // Starts `binary` with `args`; stdout and stderr go to `log_path`.
  static absl::StatusOr<std::unique_ptr<ChildProcess>> Start(const std::string& binary,
                                                            std::vector<std::string> args,
                                                            const std::string& log_path);
  ~ChildProcess();  // SIGKILLs the process if it is still running

  // Waits for a file "<grpc_port> <metrics_port>" written by a server started with
  // --port_file=path; fails early when the process exits.
  absl::StatusOr<std::pair<int, int>> WaitForPorts(const std::string& path,
                                                   absl::Duration timeout = absl::Seconds(30));
  void Signal(int sig);
  // Exit status (or 128+signal); DEADLINE_EXCEEDED when it does not exit in time.
  absl::StatusOr<int> Wait(absl::Duration timeout);
  bool Running();
  pid_t pid() const { return pid_; }
  std::string LogTail(size_t bytes = 4000) const;

 private:
  ChildProcess(pid_t pid, std::string log_path) : pid_(pid), log_path_(std::move(log_path)) {}
  pid_t pid_;
  std::string log_path_;
  bool reaped_ = false;
  int status_ = 0;
};

// A fresh temporary directory, removed by the destructor.
class TempDir final {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A free loopback TCP port (bound, then released).
int FreePort();

// A port a server can be told to listen on before it starts (so its peers can be told where
// it will be): free now, and outside the ephemeral range that outgoing connections use.
int UnusedServerPort();

}  // namespace crm::testing
