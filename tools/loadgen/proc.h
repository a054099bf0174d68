// The server processes tools/dev started, found through its pid files, and what /proc says
// about them: resident memory and CPU time. Linux only, like the rest of the dev stack.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace crm::loadgen {

struct ServerProcess {
  std::string name;  // the pid file's name: "gateway", "customers", "mariadb"
  int64_t pid = 0;
};

// Every "<name>.pid" in `pid_dir` (unreadable files are left out): the gateway first, then
// the services, the database last.
std::vector<ServerProcess> FindServers(const std::string& pid_dir);

// Resident memory of a process; values are empty when it is gone.
struct MemorySample {
  std::string name;
  int64_t pid = 0;
  std::optional<int64_t> rss_kib;  // VmRSS
  std::optional<int64_t> hwm_kib;  // VmHWM: the high-water mark
};
std::vector<MemorySample> SampleMemory(const std::vector<ServerProcess>& servers);

// A "VmRSS:"-style field (kB) of /proc/<pid>/status text.
std::optional<int64_t> StatusField(const std::string& status_text, const std::string& field);

// utime + stime (clock ticks) from /proc/<pid>/stat text. The command name may hold spaces
// and parentheses, so fields are counted from the last ')'.
std::optional<int64_t> StatTicks(const std::string& stat_text);

// CPU time (user + system) used so far by `pid` (0: this process), in seconds.
std::optional<double> CpuSeconds(int64_t pid);

// The name CpuMeter gives this process among the servers.
inline constexpr char kLoadgen[] = "loadgen";

// Measures the CPU each server and this load generator (kLoadgen) use over an interval,
// in cores (CPU seconds per wall second). On a small machine this shows who saturates it.
class CpuMeter final {
 public:
  explicit CpuMeter(std::vector<ServerProcess> servers);
  // Cores used by each process since construction; a process that went away is left out.
  std::vector<std::pair<std::string, double>> CoresUsed() const;

 private:
  std::vector<ServerProcess> processes_;  // servers, then this process as pid 0
  std::vector<std::optional<double>> start_seconds_;
  std::chrono::steady_clock::time_point start_;
};

// Waits until the servers together use less than `cores` of CPU over a half-second window,
// at most `limit`: after a scenario that writes, the services that consume its events
// (activities, analytics) and MariaDB's purge go on working for a while, and a scenario
// started then would measure their load as its own. Returns how long it waited;
// `settled` is false when the limit ran out first.
struct QuietWait {
  double seconds = 0;
  bool settled = true;
  double cores = 0;  // what the servers used in the last window
};
QuietWait WaitForQuiet(const std::vector<ServerProcess>& servers, double cores,
                       std::chrono::milliseconds limit);

}  // namespace crm::loadgen
