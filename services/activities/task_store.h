// SQL for tasks (store_sql.h). Writes run in one transaction with their outbox event and
// idempotency record; record access is the owned-record kit's on the assignee (t.assignee).
// A task made from another service's event (a FollowUpDue) carries the event's id, unique in
// the table, so the event makes one task however often it is applied. A task given to someone
// other than who writes it (by a manager, or from a feed) tells its assignee in the same
// transaction (notification_store.h).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "crm/activities/v1/activities.pb.h"
#include "libs/api/list.h"
#include "libs/base/clock.h"
#include "libs/db/db.h"
#include "libs/db/idempotency.h"
#include "libs/records/access.h"
#include "libs/records/owned.h"

namespace crm::activities {

class TaskStore final {
 public:
  TaskStore(db::Pool& pool, const Clock& clock);

  static const api::ListSpec& ListSpec();

  // Inserts a validated task (assignee set), OPEN, created by the caller; an assignee other
  // than the caller must be one the caller may give records to (OWNER_CHANGE_DENIED).
  absl::StatusOr<v1::Task> Create(const records::Access& access, const v1::Task& task,
                                  const db::IdempotencyKey& key);
  // Inside a feed's transaction, as `actor`: the task for the event `event_id` (origin set),
  // unless that event made one already. True when this call created it.
  absl::StatusOr<bool> CreateFromEvent(db::Transaction& tx, const v1::Task& task,
                                       std::string_view event_id, std::string_view actor);
  // TASK_NOT_FOUND when missing or not readable by the caller.
  absl::StatusOr<v1::Task> Get(const records::Access& access, int64_t id);
  absl::StatusOr<api::Page<v1::Task>> List(const records::Access& access,
                                           const api::ListQuery& query);
  // Locks the task (NOT_FOUND / PERMISSION_DENIED), checks the version, lets `mutate` change
  // it and writes it back; a closed task may only be reopened (TASK_CLOSED).
  using Mutation = std::function<absl::Status(v1::Task&)>;
  absl::StatusOr<v1::Task> Update(const records::Access& access, int64_t id,
                                  std::optional<int64_t> expected_version, const Mutation& mutate,
                                  const db::IdempotencyKey& key);
  // OPEN → DONE (TaskCompleted); DONE stays as it is; CANCELLED is TASK_CLOSED.
  absl::StatusOr<v1::Task> Complete(const records::Access& access, int64_t id,
                                    std::optional<int64_t> expected_version,
                                    const db::IdempotencyKey& key);

  // The task `id` as it is in `tx`, whoever may see it: for the service's own jobs
  // (task_scheduler.h). TASK_NOT_FOUND when missing.
  absl::StatusOr<v1::Task> Read(db::Transaction& tx, int64_t id);

 private:
  absl::StatusOr<int64_t> Insert(db::Transaction& tx, const v1::Task& task,
                                 std::string_view origin, const db::Value& source_event,
                                 std::string_view creator);
  absl::Status Write(db::Transaction& tx, const records::Access& access, int64_t id,
                     const v1::Task& task);

  db::Pool& pool_;
  const Clock& clock_;
  const records::OwnedRecords tasks_;
};

}  // namespace crm::activities
