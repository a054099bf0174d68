// The opportunities service's background work, on every replica: fire the follow-up rules and
// take the day's forecast snapshots. A run first takes the named lock
// "crm_opps_scheduler_<schema>" without waiting (db::NamedLock); a replica that does not get it
// skips that run, so one replica works at a time. The work itself is idempotent as well (a
// follow-up fires once per rule, opportunity and occurrence; a snapshot is taken once per period
// and day), so a run that overlaps another after a lost connection changes nothing twice.
//
//   Scheduler scheduler(kit.pool, follow_ups, forecasts, {.interval = ..., .actor = ...});
//   process.Run("scheduler", scheduler);  // started with the server, stopped when it drains
//
// Metrics (with a registry): crm_opportunities_scheduler_runs_total{result=done|skipped|failed}
// and crm_opportunities_follow_ups_fired_total.
#pragma once

#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/base/clock.h"
#include "libs/db/db.h"
#include "libs/service/job.h"
#include "services/opportunities/follow_up_store.h"
#include "services/opportunities/forecast_store.h"

namespace prometheus {
class Counter;
class Registry;
template <typename T>
class Family;
}  // namespace prometheus

namespace crm::opportunities {

struct SchedulerOptions {
  absl::Duration interval = absl::Minutes(1);  // between the starts of two runs
  std::string actor = "services/opportunities";  // who the events name
  const Clock* clock = &Clock::Real();
  prometheus::Registry* metrics = nullptr;
};

class Scheduler final : public service::BackgroundJob {
 public:
  // Everything must outlive the scheduler.
  Scheduler(db::Pool& pool, FollowUpStore& follow_ups, ForecastStore& forecasts,
            SchedulerOptions options);
  ~Scheduler();  // Stop()
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Runs now and then every interval on a background thread until Stop().
  void Start() override;
  void Stop() override;

  struct Report {
    bool ran = false;  // false: another replica held the lock
    int follow_ups = 0;
    int snapshots = 0;
  };
  // One run on the calling thread.
  absl::StatusOr<Report> RunOnce();

 private:
  void Loop();

  db::Pool& pool_;
  FollowUpStore& follow_ups_;
  ForecastStore& forecasts_;
  const SchedulerOptions options_;
  prometheus::Family<prometheus::Counter>* runs_ = nullptr;
  prometheus::Counter* fired_ = nullptr;

  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace crm::opportunities
