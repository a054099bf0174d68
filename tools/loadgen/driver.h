// Load driving for crm-loadgen: keeps a fixed number of operations in flight for a bounded
// time and summarises the latency of those that fall inside the measured window.
//
// Two drivers share one recorder, so every scenario is measured the same way:
//   RunAsyncLoad   operations that complete through a callback (gRPC callback API): no
//                  thread is parked per call, as a real asynchronous client behaves.
//   RunThreadLoad  blocking operations, one thread each (the raw SQL ceiling: Connector/C++
//                  has no asynchronous API, and one connection serves one statement at a time).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace crm::loadgen {

using Clock = std::chrono::steady_clock;

struct LoadOptions {
  int concurrency = 16;
  // Operations run during the warm-up (connections open, caches fill) but are not measured.
  absl::Duration warmup = absl::Seconds(1);
  absl::Duration duration = absl::Seconds(10);
  // When above 0, no operation starts after this many were started (seeding uses it);
  // the time bounds still apply.
  int64_t max_operations = 0;
};

// What one scenario measured. Latencies and throughput count successful operations only.
struct ScenarioResult {
  std::string name;
  int64_t ok = 0;
  int64_t errors = 0;
  double seconds = 0;  // length of the measured window
  double calls_per_second = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  std::string first_error;  // the first failure's text, so an error count explains itself
  bool skipped = false;     // the scenario could not run at all; first_error says why
  // Transactions retried after a deadlock or lock-wait timeout (warm-up included), where
  // the scenario can see them (raw SQL); -1 when unknown.
  int64_t conflict_retries = -1;
  // CPU cores each process used over the scenario (warm-up included), e.g. {"customers",
  // 0.93}; filled in by the caller, which knows the processes.
  std::vector<std::pair<std::string, double>> cpu_cores;
  // How long the scenario waited for the servers to be quiet before it started, and
  // whether they were (false: the wait ran out while they used `busy_cores_at_start`).
  double quiet_wait_s = 0;
  bool started_quiet = true;
  double busy_cores_at_start = 0;
};

// Collects the outcome of operations; only those that start and finish inside
// [window_start, window_end) count, so warm-up and the ramp-down tail are left out.
// Thread-safe.
class LatencyRecorder final {
 public:
  LatencyRecorder(Clock::time_point window_start, Clock::time_point window_end)
      : window_start_(window_start), window_end_(window_end) {}

  void Record(Clock::time_point start, Clock::time_point end, const absl::Status& status);
  ScenarioResult Summarize(std::string name) const;

 private:
  const Clock::time_point window_start_;
  const Clock::time_point window_end_;
  mutable absl::Mutex mu_;
  std::vector<int64_t> latencies_ns_ ABSL_GUARDED_BY(mu_);
  int64_t errors_ ABSL_GUARDED_BY(mu_) = 0;
  std::string first_error_ ABSL_GUARDED_BY(mu_);
};

// The value at quantile `q` (0..1) of `sorted`, by nearest rank; 0 when empty.
int64_t Percentile(const std::vector<int64_t>& sorted, double q);

// Starts one asynchronous operation numbered `sequence`. It must call `done` exactly once,
// from any thread, when the operation has finished; `done` may start the next operation.
using AsyncOperation =
    std::function<void(int64_t sequence, std::function<void(const absl::Status&)> done)>;

// Keeps `options.concurrency` operations in flight until the window ends, then waits for
// those still running (each operation must bound its own time, e.g. with a deadline).
ScenarioResult RunAsyncLoad(std::string name, const LoadOptions& options,
                            const AsyncOperation& operation);

// A blocking operation bound to one worker's resources (its own DB connection).
using SyncOperation = std::function<absl::Status(int64_t sequence)>;

// Runs each of `workers` on its own thread, back to back, until the window ends.
// `options.concurrency` is ignored: the number of workers is the concurrency.
ScenarioResult RunThreadLoad(std::string name, const LoadOptions& options,
                             const std::vector<SyncOperation>& workers);

}  // namespace crm::loadgen
