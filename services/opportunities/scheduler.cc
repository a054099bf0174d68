#include "services/opportunities/scheduler.h"

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include "absl/strings/str_cat.h"
#include "libs/grpc/status.h"
#include "libs/log/log.h"

namespace crm::opportunities {

Scheduler::Scheduler(db::Pool& pool, FollowUpStore& follow_ups, ForecastStore& forecasts,
                     SchedulerOptions options)
    : pool_(pool), follow_ups_(follow_ups), forecasts_(forecasts), options_(std::move(options)) {
  if (options_.metrics != nullptr) {
    runs_ = &prometheus::BuildCounter()
                 .Name("crm_opportunities_scheduler_runs_total")
                 .Help("Scheduler runs by result: done, skipped (another replica held the lock) "
                       "or failed")
                 .Register(*options_.metrics);
    fired_ = &prometheus::BuildCounter()
                  .Name("crm_opportunities_follow_ups_fired_total")
                  .Help("Follow-ups this replica fired")
                  .Register(*options_.metrics)
                  .Add({});
  }
}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Start() {
  absl::MutexLock lock(&mu_);
  if (thread_.joinable() || stop_) return;
  thread_ = std::thread([this] { Loop(); });
}

void Scheduler::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

absl::StatusOr<Scheduler::Report> Scheduler::RunOnce() {
  Report report;
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(auto lock, db::NamedLock::ForSchema(*session, "crm_opps_scheduler_"));
  CRM_ASSIGN_OR_RETURN(bool held, lock->Acquire(absl::ZeroDuration()));
  if (!held) return report;
  report.ran = true;
  const absl::Time now = options_.clock->Now();
  CRM_ASSIGN_OR_RETURN(report.follow_ups, follow_ups_.Fire(now, options_.actor));
  CRM_ASSIGN_OR_RETURN(report.snapshots, forecasts_.TakeSnapshots(now));
  return report;
}

void Scheduler::Loop() {
  while (true) {
    absl::StatusOr<Report> report = RunOnce();
    const char* result = !report.ok() ? "failed" : report->ran ? "done" : "skipped";
    if (runs_ != nullptr) runs_->Add({{"result", result}}).Increment();
    if (!report.ok()) {
      log::Warn("scheduler run failed", {{"error", report.status().ToString()}});
    } else if (report->follow_ups > 0 || report->snapshots > 0) {
      if (fired_ != nullptr) fired_->Increment(report->follow_ups);
      log::Info("scheduler run", {{"follow_ups_fired", absl::StrCat(report->follow_ups)},
                                  {"snapshots_taken", absl::StrCat(report->snapshots)}});
    }
    absl::MutexLock lock(&mu_);
    auto stopped = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_; };
    if (mu_.AwaitWithTimeout(absl::Condition(&stopped), options_.interval)) return;
  }
}

}  // namespace crm::opportunities
