#include "services/activities/task_scheduler.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/api/resource.h"
#include "libs/base/time.h"
#include "libs/events/outbox.h"
#include "libs/grpc/status.h"
#include "libs/log/log.h"
#include "services/activities/event_types.h"
#include "services/activities/notification_store.h"
#include "services/activities/store_sql.h"

namespace crm::activities {

void TaskScheduler::Start() {
  absl::MutexLock lock(&mu_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] {
    absl::MutexLock lock(&mu_);
    while (!mu_.AwaitWithTimeout(absl::Condition(&stopping_), options_.interval)) {
      mu_.Unlock();
      absl::Status pass = RunOnce();
      if (!pass.ok()) log::Warn("task scheduler pass failed", {{"error", pass.ToString()}});
      mu_.Lock();
    }
  });
}

void TaskScheduler::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

absl::Status TaskScheduler::RunOnce() {
  const absl::Time now = clock_.Now();
  absl::Status reminders = SendReminders(now);
  absl::Status escalations = EscalateOverdue(now);
  return reminders.ok() ? escalations : reminders;
}

absl::Status TaskScheduler::SendReminders(absl::Time now) {
  const std::string from = db::FormatDateTime(now - options_.reminder_lookback);
  const std::string to = db::FormatDateTime(now);
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  // Open tasks not yet due long ago; their reminder times are filtered here (stored as text).
  CRM_ASSIGN_OR_RETURN(db::Rows rows,
                       session->Query(sql::kTasksWithReminders, {int64_t{v1::OPEN}, from}));
  for (const db::Row& row : rows) {
    const std::string task = api::ResourceName("tasks", row.Int(0));
    for (absl::string_view at : absl::StrSplit(row.Str(3), '\n', absl::SkipEmpty())) {
      // DATETIME texts of one width sort as times.
      if (at < from || at > to) continue;
      NewNotification n{.recipient = row.Str(2),
                        .kind = v1::TASK_REMINDER,
                        .title = absl::StrCat("Reminder: ", row.Str(1)),
                        .body = absl::StrCat("Due ", row.Str(4), " UTC"),
                        .resource = task,
                        .actor = actor_,
                        .source_event = absl::StrCat(task, "/reminders/", at),
                        .time = now};
      CRM_RETURN_IF_ERROR(Notify(*session, n).status());
    }
  }
  return absl::OkStatus();
}

absl::Status TaskScheduler::EscalateOverdue(absl::Time now) {
  CRM_ASSIGN_OR_RETURN(db::Rows rows, [&]() -> absl::StatusOr<db::Rows> {
    CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
    return session->Query(sql::kOverdueTasksToEscalate,
                          {int64_t{v1::OPEN}, db::FormatDateTime(now - options_.escalation_delay),
                           int64_t{options_.batch}});
  }());
  absl::Status first_error;
  for (const db::Row& row : rows) {
    const int64_t id = row.Int(0);
    const std::string assignee = row.Str(1);
    const std::string due = row.Str(2);
    // Asked before the transaction: no lock is held while the auth service answers.
    absl::StatusOr<std::string> manager = people_.ManagerOf(assignee);
    if (!manager.ok()) {
      if (first_error.ok()) first_error = manager.status();
      continue;  // the next pass asks again
    }
    absl::Status done = pool_.InTransaction([&](db::Transaction& tx) -> absl::Status {
      CRM_ASSIGN_OR_RETURN(
          uint64_t taken,
          tx.Execute(sql::kInsertTaskEscalation, {id, due, *manager, db::FormatDateTime(now)}));
      if (taken == 0) return absl::OkStatus();  // another replica escalated it
      CRM_ASSIGN_OR_RETURN(v1::Task task, tasks_.Read(tx, id));
      CRM_RETURN_IF_ERROR(events::Append(
          tx, {.type = kTaskEscalatedEvent, .resource = task.name(), .actor = actor_}, task));
      // No manager (no team, or a team without one): the escalation is recorded, nobody told.
      return Notify(tx, {.recipient = *manager,
                         .kind = v1::TASK_ESCALATED,
                         .title = absl::StrCat("Overdue: ", task.title()),
                         .body = absl::StrCat(assignee, "'s task was due ", due, " UTC"),
                         .resource = task.name(),
                         .actor = actor_,
                         .source_event = absl::StrCat(task.name(), "/escalations/", due),
                         .time = now})
          .status();
    });
    if (!done.ok() && first_error.ok()) first_error = done;
  }
  return first_error;
}

}  // namespace crm::activities
