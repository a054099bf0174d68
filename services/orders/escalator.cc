#include "services/orders/escalator.h"

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include "absl/strings/str_cat.h"
#include "libs/grpc/status.h"
#include "libs/log/log.h"

namespace crm::orders {

struct Escalator::Metrics {
  prometheus::Family<prometheus::Counter>* runs = nullptr;
  prometheus::Counter* escalations = nullptr;
};

Escalator::Escalator(db::Pool& pool, OrderStore& store, const Clock& clock,
                     EscalatorOptions options, prometheus::Registry* metrics)
    : pool_(pool),
      store_(store),
      clock_(clock),
      options_(options),
      metrics_(std::make_unique<Metrics>()) {
  if (metrics != nullptr) {
    metrics_->runs = &prometheus::BuildCounter()
                          .Name("crm_orders_escalation_runs_total")
                          .Help("Passes of the approval escalation scheduler, by result (done, "
                                "skipped: another replica held the lock, failed)")
                          .Register(*metrics);
    metrics_->escalations = &prometheus::BuildCounter()
                                 .Name("crm_orders_escalations_total")
                                 .Help("Approvals this replica escalated to the admins")
                                 .Register(*metrics)
                                 .Add({});
  }
}

Escalator::~Escalator() { Stop(); }

void Escalator::Start() { thread_ = std::thread([this] { Loop(); }); }

void Escalator::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

absl::StatusOr<Escalator::Report> Escalator::RunOnce() {
  absl::StatusOr<Report> report = RunLocked();
  if (metrics_->runs != nullptr) {
    const char* result = !report.ok() ? "failed" : report->ran ? "done" : "skipped";
    metrics_->runs->Add({{"result", result}}).Increment();
  }
  return report;
}

absl::StatusOr<Escalator::Report> Escalator::RunLocked() {
  // The lock lives on its own connection for the whole pass.
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(auto lock, db::NamedLock::ForSchema(*session, "crm_orders_escalation_"));
  CRM_ASSIGN_OR_RETURN(bool held, lock->Acquire(absl::ZeroDuration()));
  Report report;
  if (!held) return report;
  report.ran = true;
  const absl::Time now = clock_.Now();
  CRM_ASSIGN_OR_RETURN(std::vector<int64_t> due, store_.DueEscalations(now, options_.batch));
  for (int64_t approval : due) {
    CRM_ASSIGN_OR_RETURN(bool escalated, store_.Escalate(approval, now));
    if (!escalated) continue;
    ++report.escalated;
    if (metrics_->escalations != nullptr) metrics_->escalations->Increment();
    log::Info("approval escalated to the admins",
              {{"approval", absl::StrCat("approvals/", approval)}});
  }
  return report;
}

void Escalator::Loop() {
  while (true) {
    if (absl::StatusOr<Report> report = RunOnce(); !report.ok()) {
      log::Warn("escalation pass failed", {{"error", report.status().ToString()}});
    }
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(&stop_), options_.interval);
    if (stop_) return;
  }
}

}  // namespace crm::orders
