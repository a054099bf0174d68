#include "libs/events/retention.h"

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/grpc/status.h"
#include "libs/log/log.h"

namespace crm::events {
namespace {

constexpr char kDeleteIdempotencyKeys[] =
    "DELETE FROM idempotency_keys WHERE create_time < ? ORDER BY create_time LIMIT ?";
constexpr char kDeleteInbox[] =
    "DELETE FROM event_inbox WHERE apply_time < ? ORDER BY apply_time LIMIT ?";
// The outbox goes in sequence order (its primary key), not by an index on create_time:
// the horizon must be one number below which nothing is left.
constexpr char kOldestOutboxRows[] =
    "SELECT sequence, create_time FROM outbox ORDER BY sequence LIMIT ?";
constexpr char kDeleteOutboxThrough[] = "DELETE FROM outbox WHERE sequence <= ?";
constexpr char kMoveHorizon[] =
    "UPDATE outbox_horizon SET pruned_through = GREATEST(pruned_through, ?) WHERE id = 1";
constexpr char kReadHorizon[] = "SELECT pruned_through FROM outbox_horizon WHERE id = 1";

}  // namespace

RetentionOptions ReadRetentionFlags(config::Flags& flags) {
  RetentionOptions options;
  const absl::Duration min = absl::Minutes(1);
  const absl::Duration max = absl::Hours(24 * 3660);
  options.idempotency_retention = flags.Duration(
      "idempotency_retention", options.idempotency_retention,
      "how long a request_id replays its first result (the API documents 7 days)", min, max);
  options.outbox_retention = flags.Duration(
      "outbox_retention", options.outbox_retention,
      "how long outbox events stay readable on the event feed; older cursors get OUT_OF_RANGE", min,
      max);
  options.inbox_retention =
      flags.Duration("inbox_retention", options.inbox_retention,
                     "how long a consumer remembers the ids of the events it applied", min, max);
  options.interval = flags.Duration("retention_interval", options.interval,
                                    "time between two retention runs", absl::Seconds(1), max);
  options.batch_size = flags.Int("retention_batch", options.batch_size,
                                 "rows deleted per retention transaction", 1, 100000);
  return options;
}

Retention::Metrics Retention::RegisterMetrics(prometheus::Registry* registry) {
  if (registry == nullptr) return {};
  auto& deleted = prometheus::BuildCounter()
                      .Name("crm_retention_deleted_rows_total")
                      .Help("Rows deleted by the retention job, by table")
                      .Register(*registry);
  return {
      .idempotency_keys = &deleted.Add({{"table", "idempotency_keys"}}),
      .outbox_rows = &deleted.Add({{"table", "outbox"}}),
      .inbox_rows = &deleted.Add({{"table", "event_inbox"}}),
      .runs = &prometheus::BuildCounter()
                   .Name("crm_retention_runs_total")
                   .Help("Retention runs by result: done, skipped (another replica held the "
                         "lock) or failed")
                   .Register(*registry),
  };
}

Retention::Retention(db::Pool& pool, RetentionOptions options, const Clock& clock,
                     prometheus::Registry* metrics)
    : pool_(pool),
      options_([&] {
        options.batch_size = std::max(options.batch_size, 1);
        return options;
      }()),
      clock_(clock),
      metrics_(RegisterMetrics(metrics)) {}

Retention::~Retention() { Stop(); }

void Retention::Start() {
  absl::MutexLock lock(&mu_);
  if (thread_.joinable() || stop_) return;
  thread_ = std::thread([this] { Loop(); });
}

void Retention::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

bool Retention::stopping() const {
  absl::MutexLock lock(&mu_);
  return stop_;
}

void Retention::Loop() {
  while (true) {
    absl::StatusOr<Report> report = RunOnce();
    if (!report.ok()) {
      log::Warn("retention run failed", {{"error", report.status().ToString()}});
    } else if (report->ran && (report->idempotency_keys > 0 || report->outbox_rows > 0 ||
                               report->inbox_rows > 0)) {
      log::Info("retention run deleted old rows",
                {{"idempotency_keys", absl::StrCat(report->idempotency_keys)},
                 {"outbox_rows", absl::StrCat(report->outbox_rows)},
                 {"inbox_rows", absl::StrCat(report->inbox_rows)},
                 {"outbox_pruned_through", absl::StrCat(report->pruned_through)}});
    }
    absl::MutexLock lock(&mu_);
    auto stopped = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_; };
    if (mu_.AwaitWithTimeout(absl::Condition(&stopped), options_.interval)) return;
  }
}

absl::StatusOr<Retention::Report> Retention::RunOnce() {
  absl::StatusOr<Report> report = [this]() -> absl::StatusOr<Report> {
    // The lock lives on its own connection for the whole run; the deletes use others.
    CRM_ASSIGN_OR_RETURN(std::unique_ptr<db::Session> session, pool_.Borrow());
    CRM_ASSIGN_OR_RETURN(std::unique_ptr<db::NamedLock> lock,
                         db::NamedLock::ForSchema(*session, "crm_retention_"));
    CRM_ASSIGN_OR_RETURN(bool held, lock->Acquire(absl::ZeroDuration()));
    if (!held) return Report{};  // another replica is on it
    return RunLocked(clock_.Now());
  }();
  if (metrics_.runs != nullptr) {
    const char* result = !report.ok() ? "failed" : report->ran ? "done" : "skipped";
    metrics_.runs->Add({{"result", result}}).Increment();
  }
  return report;
}

absl::StatusOr<Retention::Report> Retention::RunLocked(absl::Time now) {
  Report report{.ran = true};
  CRM_ASSIGN_OR_RETURN(
      report.idempotency_keys,
      DeleteInBatches(kDeleteIdempotencyKeys, now - options_.idempotency_retention));
  if (metrics_.idempotency_keys != nullptr) {
    metrics_.idempotency_keys->Increment(static_cast<double>(report.idempotency_keys));
  }
  CRM_ASSIGN_OR_RETURN(report.outbox_rows,
                       PruneOutbox(now - options_.outbox_retention, &report.pruned_through));
  if (metrics_.outbox_rows != nullptr) {
    metrics_.outbox_rows->Increment(static_cast<double>(report.outbox_rows));
  }
  CRM_ASSIGN_OR_RETURN(report.inbox_rows,
                       DeleteInBatches(kDeleteInbox, now - options_.inbox_retention));
  if (metrics_.inbox_rows != nullptr) {
    metrics_.inbox_rows->Increment(static_cast<double>(report.inbox_rows));
  }
  return report;
}

absl::StatusOr<int64_t> Retention::DeleteInBatches(const char* sql, absl::Time cutoff) {
  const std::string cutoff_text = db::FormatDateTime(cutoff);
  int64_t total = 0;
  while (!stopping()) {
    CRM_ASSIGN_OR_RETURN(std::unique_ptr<db::Session> session, pool_.Borrow());
    // One statement in autocommit: a transaction of its own.
    CRM_ASSIGN_OR_RETURN(uint64_t deleted,
                         session->Execute(sql, {cutoff_text, int64_t{options_.batch_size}}));
    total += static_cast<int64_t>(deleted);
    if (deleted < static_cast<uint64_t>(options_.batch_size)) break;
  }
  return total;
}

absl::StatusOr<int64_t> Retention::PruneOutbox(absl::Time cutoff, int64_t* pruned_through) {
  int64_t total = 0;
  bool more = true;
  while (more && !stopping()) {
    int64_t deleted = 0;
    CRM_RETURN_IF_ERROR(pool_.InTransaction([&](db::Transaction& tx) -> absl::Status {
      deleted = 0;
      more = false;
      CRM_ASSIGN_OR_RETURN(db::Rows rows,
                           tx.Query(kOldestOutboxRows, {int64_t{options_.batch_size}}));
      // The leading run of old rows; the first young one ends it (sequences and times
      // mostly agree, and where clocks disagree the row simply waits for a later run).
      int64_t last = 0;
      size_t old_rows = 0;
      for (const db::Row& row : rows) {
        CRM_ASSIGN_OR_RETURN(absl::Time created, db::ParseDateTime(row.Str(1)));
        if (created >= cutoff) break;
        last = row.Int(0);
        ++old_rows;
      }
      if (old_rows == 0) return absl::OkStatus();
      CRM_ASSIGN_OR_RETURN(uint64_t removed, tx.Execute(kDeleteOutboxThrough, {last}));
      // In the same transaction: a reader sees the rows gone only with the horizon moved.
      CRM_RETURN_IF_ERROR(tx.Execute(kMoveHorizon, {last}).status());
      deleted = static_cast<int64_t>(removed);
      more = old_rows == rows.size() && rows.size() == static_cast<size_t>(options_.batch_size);
      return absl::OkStatus();
    }));
    total += deleted;
  }
  CRM_ASSIGN_OR_RETURN(std::unique_ptr<db::Session> session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Rows horizon, session->Query(kReadHorizon, {}));
  *pruned_through = horizon.empty() ? 0 : horizon[0].Int(0);
  return total;
}

}  // namespace crm::events
