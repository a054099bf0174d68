// The replica-safe scheduler that escalates unanswered discount approvals: a manager's
// approval still pending at its escalate_time goes to the admins, once.
//
// Every replica runs one. A pass first takes the named lock "crm_orders_escalation_<schema>"
// without waiting (db::NamedLock); a replica that does not get it skips the pass, so one
// replica works at a time. Each escalation is its own transaction that locks the order and
// checks, under the lock, that the approval is still pending with its manager and due — so
// even two passes that overlapped (a lock lost with its connection) escalate an approval once.
#pragma once

#include <memory>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/base/clock.h"
#include "libs/db/db.h"
#include "libs/service/job.h"
#include "services/orders/order_store.h"

namespace prometheus {
class Registry;
}  // namespace prometheus

namespace crm::orders {

struct EscalatorOptions {
  // Time between two passes.
  absl::Duration interval = absl::Minutes(1);
  // Approvals escalated per pass at most (the rest wait for the next).
  int batch = 100;
};

class Escalator final : public service::BackgroundJob {
 public:
  // `pool`, `store`, `clock` and `metrics` (may be null) must outlive it. With a registry:
  // crm_orders_escalation_runs_total{result=done|skipped|failed} and
  // crm_orders_escalations_total.
  Escalator(db::Pool& pool, OrderStore& store, const Clock& clock, EscalatorOptions options,
            prometheus::Registry* metrics);
  ~Escalator();  // Stop()

  void Start() override;
  void Stop() override;

  struct Report {
    bool ran = false;  // false: another replica held the lock
    int escalated = 0;
  };
  // One pass on the calling thread.
  absl::StatusOr<Report> RunOnce();

 private:
  void Loop();
  absl::StatusOr<Report> RunLocked();

  db::Pool& pool_;
  OrderStore& store_;
  const Clock& clock_;
  const EscalatorOptions options_;
  struct Metrics;
  std::unique_ptr<Metrics> metrics_;

  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace crm::orders
