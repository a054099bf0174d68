// Retention of the tables the libraries own (db::Migrate's platform track): idempotency
// keys, outbox rows and consumer inbox rows are deleted once older than their retention,
// so none of them grows for ever.
//
//   events::Retention retention(*pool, events::ReadRetentionFlags(flags), Clock::Real(),
//                               &runner.metrics());
//   retention.Start();   // a background thread; the destructor stops it
//
// Replica-safe: a run first takes the named lock "crm_retention_<schema>" without waiting
// (GET_LOCK(..., 0)); a replica that does not get it skips that run, so one replica works
// at a time and none queues behind another. Deletes go in batches of `batch_size` rows,
// each its own short transaction, so a large backlog never holds long locks. Outbox rows
// are deleted oldest sequence first, and the pruning horizon (outbox_horizon) moves in the
// same transaction as each delete, so the event feed can refuse a cursor below it
// (OUT_OF_RANGE) instead of skipping events.
//
// The outbox retention must be far longer than the feed's gap_grace: an event whose
// transaction commits after younger rows were pruned past it is never delivered.
//
// Thread-safety: RunOnce may be called from any thread, also while the background thread
// runs (the lock keeps them apart).
#pragma once

#include <cstdint>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/base/clock.h"
#include "libs/config/config.h"
#include "libs/db/db.h"

namespace prometheus {
class Counter;
class Registry;
template <typename T>
class Family;
}  // namespace prometheus

namespace crm::events {

struct RetentionOptions {
  // Idempotency keys are replayable this long (customers.proto promises 7 days).
  absl::Duration idempotency_retention = absl::Hours(7 * 24);
  // Outbox rows stay this long: a consumer away for longer gets OUT_OF_RANGE.
  absl::Duration outbox_retention = absl::Hours(7 * 24);
  // Consumer inbox rows (event ids applied) stay this long; the cursor deduplicates
  // anything older.
  absl::Duration inbox_retention = absl::Hours(7 * 24);
  // Time between the starts of two runs of the background thread.
  absl::Duration interval = absl::Minutes(5);
  // Rows deleted per transaction.
  int batch_size = 1000;
};

// --idempotency_retention, --outbox_retention, --inbox_retention (durations such as
// "168h", at least 1m), --retention_interval and --retention_batch, with CRM_* environment
// fallbacks.
RetentionOptions ReadRetentionFlags(config::Flags& flags);

class Retention final {
 public:
  // `pool` (and `clock`, `metrics`) must outlive this object. With a registry:
  // crm_retention_deleted_rows_total{table=idempotency_keys|outbox|event_inbox} and
  // crm_retention_runs_total{result=done|skipped|failed}.
  Retention(db::Pool& pool, RetentionOptions options, const Clock& clock = Clock::Real(),
            prometheus::Registry* metrics = nullptr);
  ~Retention();  // Stop()
  Retention(const Retention&) = delete;
  Retention& operator=(const Retention&) = delete;

  // Runs now and then every `interval` on a background thread until Stop(). Errors are
  // logged and the next run tries again.
  void Start();
  // Ends the background thread after the batch in progress.
  void Stop();

  struct Report {
    bool ran = false;  // false: another replica held the lock, nothing was done
    int64_t idempotency_keys = 0;
    int64_t outbox_rows = 0;
    int64_t inbox_rows = 0;
    int64_t pruned_through = 0;  // the outbox horizon after the run
  };
  // One run on the calling thread.
  absl::StatusOr<Report> RunOnce();

 private:
  struct Metrics {
    prometheus::Counter* idempotency_keys = nullptr;
    prometheus::Counter* outbox_rows = nullptr;
    prometheus::Counter* inbox_rows = nullptr;
    prometheus::Family<prometheus::Counter>* runs = nullptr;
  };
  static Metrics RegisterMetrics(prometheus::Registry* registry);

  absl::StatusOr<Report> RunLocked(absl::Time now);
  // Deletes with `sql` (bound to cutoff and batch size) until a batch comes back short.
  absl::StatusOr<int64_t> DeleteInBatches(const char* sql, absl::Time cutoff);
  // Deletes the outbox rows older than `cutoff`, oldest sequence first, moving the horizon.
  absl::StatusOr<int64_t> PruneOutbox(absl::Time cutoff, int64_t* pruned_through);
  bool stopping() const;
  void Loop();

  db::Pool& pool_;
  const RetentionOptions options_;
  const Clock& clock_;
  const Metrics metrics_;

  mutable absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace crm::events
