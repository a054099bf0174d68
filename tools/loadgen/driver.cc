#include "tools/loadgen/driver.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <memory>
#include <thread>
#include <utility>

namespace crm::loadgen {
namespace {

Clock::duration ToClock(absl::Duration d) {
  return std::chrono::duration_cast<Clock::duration>(absl::ToChronoNanoseconds(d));
}

// The shared state of one asynchronous run. Completion callbacks hold it by shared_ptr:
// the last callback may still be unwinding when the caller has already returned.
class AsyncRun final : public std::enable_shared_from_this<AsyncRun> {
 public:
  AsyncRun(const LoadOptions& options, const AsyncOperation& operation, Clock::time_point start)
      : operation_(operation),
        max_operations_(options.max_operations),
        stop_(start + ToClock(options.warmup + options.duration)),
        recorder_(start + ToClock(options.warmup), stop_),
        in_flight_(options.concurrency) {}

  // Starts the next operation in this slot, or retires the slot when the run is over.
  void Launch() {
    int64_t sequence;
    {
      absl::MutexLock lock(&mu_);
      const bool enough = max_operations_ > 0 && next_sequence_ >= max_operations_;
      if (enough || Clock::now() >= stop_) {
        --in_flight_;
        return;
      }
      sequence = next_sequence_++;
    }
    const Clock::time_point started = Clock::now();
    operation_(sequence, [self = shared_from_this(), started](const absl::Status& status) {
      self->recorder_.Record(started, Clock::now(), status);
      self->Launch();
    });
  }

  void WaitUntilIdle() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](int* in_flight) { return *in_flight == 0; }, &in_flight_));
  }

  const LatencyRecorder& recorder() const { return recorder_; }

 private:
  const AsyncOperation& operation_;  // outlives the run: RunAsyncLoad waits for idle
  const int64_t max_operations_;
  const Clock::time_point stop_;
  LatencyRecorder recorder_;
  absl::Mutex mu_;
  int in_flight_ ABSL_GUARDED_BY(mu_);
  int64_t next_sequence_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace

void LatencyRecorder::Record(Clock::time_point start, Clock::time_point end,
                             const absl::Status& status) {
  if (start < window_start_ || end >= window_end_) return;
  absl::MutexLock lock(&mu_);
  if (status.ok()) {
    latencies_ns_.push_back(
        std::chrono::duration_cast<std::chrono::nanoseconds>(end - start).count());
  } else {
    if (errors_++ == 0) first_error_ = status.ToString();
  }
}

ScenarioResult LatencyRecorder::Summarize(std::string name) const {
  std::vector<int64_t> sorted;
  ScenarioResult result;
  {
    absl::MutexLock lock(&mu_);
    sorted = latencies_ns_;
    result.errors = errors_;
    result.first_error = first_error_;
  }
  std::sort(sorted.begin(), sorted.end());
  result.name = std::move(name);
  result.ok = static_cast<int64_t>(sorted.size());
  result.seconds = std::chrono::duration<double>(window_end_ - window_start_).count();
  result.calls_per_second = result.seconds > 0 ? result.ok / result.seconds : 0;
  result.p50_ms = Percentile(sorted, 0.50) / 1e6;
  result.p99_ms = Percentile(sorted, 0.99) / 1e6;
  return result;
}

int64_t Percentile(const std::vector<int64_t>& sorted, double q) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

ScenarioResult RunAsyncLoad(std::string name, const LoadOptions& options,
                            const AsyncOperation& operation) {
  auto run = std::make_shared<AsyncRun>(options, operation, Clock::now());
  for (int i = 0; i < options.concurrency; ++i) run->Launch();
  run->WaitUntilIdle();
  return run->recorder().Summarize(std::move(name));
}

ScenarioResult RunThreadLoad(std::string name, const LoadOptions& options,
                             const std::vector<SyncOperation>& workers) {
  const Clock::time_point start = Clock::now();
  const Clock::time_point stop = start + ToClock(options.warmup + options.duration);
  LatencyRecorder recorder(start + ToClock(options.warmup), stop);
  std::atomic<int64_t> next_sequence{0};
  std::vector<std::thread> threads;
  threads.reserve(workers.size());
  for (const SyncOperation& worker : workers) {
    threads.emplace_back([&, &worker = worker] {
      while (true) {
        const Clock::time_point started = Clock::now();
        if (started >= stop) break;
        const int64_t sequence = next_sequence.fetch_add(1);
        if (options.max_operations > 0 && sequence >= options.max_operations) break;
        const absl::Status status = worker(sequence);
        recorder.Record(started, Clock::now(), status);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  return recorder.Summarize(std::move(name));
}

}  // namespace crm::loadgen
