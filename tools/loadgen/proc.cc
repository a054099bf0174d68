#include "tools/loadgen/proc.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace crm::loadgen {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

int Rank(const std::string& name) {
  if (name == "gateway") return 0;
  if (name == "mariadb") return 2;
  return 1;
}

std::string ProcPath(int64_t pid, const char* file) {
  return pid == 0 ? absl::StrCat("/proc/self/", file) : absl::StrCat("/proc/", pid, "/", file);
}

}  // namespace

std::vector<ServerProcess> FindServers(const std::string& pid_dir) {
  std::vector<ServerProcess> servers;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(pid_dir, error)) {
    if (entry.path().extension() != ".pid") continue;
    ServerProcess server;
    server.name = entry.path().stem().string();
    if (absl::SimpleAtoi(absl::StripAsciiWhitespace(ReadFile(entry.path().string())),
                         &server.pid) &&
        server.pid > 0) {
      servers.push_back(std::move(server));
    }
  }
  std::sort(servers.begin(), servers.end(), [](const ServerProcess& a, const ServerProcess& b) {
    return std::make_pair(Rank(a.name), a.name) < std::make_pair(Rank(b.name), b.name);
  });
  return servers;
}

std::vector<MemorySample> SampleMemory(const std::vector<ServerProcess>& servers) {
  std::vector<MemorySample> samples;
  for (const ServerProcess& server : servers) {
    const std::string status = ReadFile(ProcPath(server.pid, "status"));
    samples.push_back({.name = server.name,
                       .pid = server.pid,
                       .rss_kib = StatusField(status, "VmRSS"),
                       .hwm_kib = StatusField(status, "VmHWM")});
  }
  return samples;
}

std::optional<int64_t> StatusField(const std::string& status_text, const std::string& field) {
  const std::string prefix = field + ":";
  for (absl::string_view line : absl::StrSplit(status_text, '\n')) {
    if (!absl::ConsumePrefix(&line, prefix)) continue;
    line = absl::StripAsciiWhitespace(line);
    absl::ConsumeSuffix(&line, "kB");
    int64_t kib = 0;
    if (absl::SimpleAtoi(absl::StripAsciiWhitespace(line), &kib)) return kib;
    return std::nullopt;
  }
  return std::nullopt;
}

std::optional<int64_t> StatTicks(const std::string& stat_text) {
  const size_t paren = stat_text.rfind(')');
  if (paren == std::string::npos) return std::nullopt;
  // After "pid (comm)": state is field 3, utime field 14, stime field 15.
  std::vector<absl::string_view> fields =
      absl::StrSplit(absl::string_view(stat_text).substr(paren + 1), ' ', absl::SkipEmpty());
  constexpr size_t kUtime = 14 - 3;
  constexpr size_t kStime = 15 - 3;
  int64_t utime = 0;
  int64_t stime = 0;
  if (fields.size() <= kStime || !absl::SimpleAtoi(fields[kUtime], &utime) ||
      !absl::SimpleAtoi(fields[kStime], &stime)) {
    return std::nullopt;
  }
  return utime + stime;
}

std::optional<double> CpuSeconds(int64_t pid) {
  const std::optional<int64_t> ticks = StatTicks(ReadFile(ProcPath(pid, "stat")));
  if (!ticks) return std::nullopt;
  return static_cast<double>(*ticks) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

CpuMeter::CpuMeter(std::vector<ServerProcess> servers)
    : processes_(std::move(servers)), start_(std::chrono::steady_clock::now()) {
  processes_.push_back({.name = kLoadgen, .pid = 0});
  for (const ServerProcess& process : processes_) {
    start_seconds_.push_back(CpuSeconds(process.pid));
  }
}

std::vector<std::pair<std::string, double>> CpuMeter::CoresUsed() const {
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::vector<std::pair<std::string, double>> cores;
  for (size_t i = 0; i < processes_.size(); ++i) {
    const std::optional<double> now = CpuSeconds(processes_[i].pid);
    if (!now || !start_seconds_[i] || wall <= 0) continue;
    cores.emplace_back(processes_[i].name, (*now - *start_seconds_[i]) / wall);
  }
  return cores;
}

QuietWait WaitForQuiet(const std::vector<ServerProcess>& servers, double cores,
                       std::chrono::milliseconds limit) {
  constexpr std::chrono::milliseconds kWindow(500);
  const auto start = std::chrono::steady_clock::now();
  QuietWait wait;
  while (true) {
    const CpuMeter meter(servers);
    std::this_thread::sleep_for(kWindow);
    wait.cores = 0;
    for (const auto& [name, used] : meter.CoresUsed()) {
      if (name != kLoadgen) wait.cores += used;
    }
    const auto waited = std::chrono::steady_clock::now() - start;
    wait.seconds = std::chrono::duration<double>(waited).count();
    if (wait.cores < cores) return wait;
    if (waited >= limit) {
      wait.settled = false;
      return wait;
    }
  }
}

}  // namespace crm::loadgen
