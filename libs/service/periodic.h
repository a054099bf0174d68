// The background job most services need: one pass of work every interval (a scheduler, an
// escalator, gauges refreshed from the database). Given to Process::Run like any job.
//
//   service::PeriodicJob gauges("business gauges", absl::Seconds(30),
//                               [&] { return business.Refresh(); });
//   process.Run("gauges", gauges);
#pragma once

#include <functional>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/service/job.h"

namespace crm::service {

// Runs `pass` every `interval` on a thread of its own, the first time as soon as it starts,
// until it is stopped (a pass under way finishes first). A failed pass is logged with the
// job's name and tried again at the next interval.
class PeriodicJob final : public BackgroundJob {
 public:
  PeriodicJob(std::string name, absl::Duration interval, std::function<absl::Status()> pass)
      : name_(std::move(name)), interval_(interval), pass_(std::move(pass)) {}
  ~PeriodicJob() override { Stop(); }

  void Start() override;
  void Stop() override;

 private:
  void Loop();

  const std::string name_;
  const absl::Duration interval_;
  const std::function<absl::Status()> pass_;
  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace crm::service
