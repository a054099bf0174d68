// What happens to tasks with time (issue 13 part 3), a background job every replica runs
// (Process::Run): each pass
//   - sends every reminder whose time has come (in the last `reminder_lookback`) to the
//     task's assignee, once: the notification's source is "tasks/{id}/reminders/{time}", and
//     notifications are unique by source and recipient, so two replicas passing at once, or a
//     pass repeated after a crash, write it once;
//   - escalates every OPEN task overdue by `escalation_delay` to its assignee's manager, once
//     per task and due time: a row in task_escalations (primary key task and due time) is
//     inserted first, and only the replica whose insert took it writes the TaskEscalated event
//     and the manager's notification, in the same transaction. A task moved to a later due
//     time and overdue again escalates again.
// The manager comes from the auth service (people.h); when it cannot answer, that task waits
// for the next pass.
#pragma once

#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/base/clock.h"
#include "libs/db/db.h"
#include "libs/service/job.h"
#include "services/activities/people.h"
#include "services/activities/task_store.h"

namespace crm::activities {

struct TaskSchedulerOptions {
  absl::Duration interval = absl::Minutes(1);          // between passes
  absl::Duration escalation_delay = absl::Hours(24);   // overdue this long: to the manager
  absl::Duration reminder_lookback = absl::Hours(24);  // older reminders are not sent late
  int batch = 200;                                     // tasks escalated per pass at most
};

class TaskScheduler final : public service::BackgroundJob {
 public:
  TaskScheduler(db::Pool& pool, TaskStore& tasks, People& people, const Clock& clock,
                std::string actor, TaskSchedulerOptions options)
      : pool_(pool),
        tasks_(tasks),
        people_(people),
        clock_(clock),
        actor_(std::move(actor)),
        options_(options) {}
  ~TaskScheduler() override { Stop(); }

  void Start() ABSL_LOCKS_EXCLUDED(mu_) override;
  void Stop() ABSL_LOCKS_EXCLUDED(mu_) override;

  // One pass at the clock's time (the thread calls it; tests call it directly). The first
  // error after the pass did what it could.
  absl::Status RunOnce();

 private:
  absl::Status SendReminders(absl::Time now);
  absl::Status EscalateOverdue(absl::Time now);

  db::Pool& pool_;
  TaskStore& tasks_;
  People& people_;
  const Clock& clock_;
  const std::string actor_;
  const TaskSchedulerOptions options_;

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace crm::activities
