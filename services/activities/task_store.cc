#include "services/activities/task_store.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "libs/api/resource.h"
#include "libs/base/time.h"
#include "libs/events/outbox.h"
#include "libs/grpc/status.h"
#include "services/activities/event_types.h"
#include "services/activities/links.h"
#include "services/activities/notification_store.h"
#include "services/activities/store_sql.h"

namespace crm::activities {
namespace {

constexpr char kTasks[] = "tasks";
constexpr char kAssigneeField[] = "task.assignee";

std::string DateTime(const google::protobuf::Timestamp& ts) {
  return db::FormatDateTime(FromTimestamp(ts));
}

// Reminder times as stored: newline-joined DATETIME texts, in order.
std::string JoinReminders(const v1::Task& t) {
  std::vector<std::string> parts;
  for (const auto& ts : t.reminder_times()) parts.push_back(DateTime(ts));
  return absl::StrJoin(parts, "\n");
}

v1::Task FromRow(const db::Row& row) {
  v1::Task t;
  t.set_name(api::ResourceName(kTasks, row.Int(0)));
  t.set_etag(api::EtagFromVersion(row.Int(1)));
  t.set_title(row.Str(2));
  t.set_description(row.Str(3));
  t.set_assignee(row.Str(sql::kTaskOwnerIndex));
  *t.mutable_due_time() = TimestampFromDateTime(row.Str(5));
  t.set_priority(static_cast<v1::Priority>(row.Int(6)));
  t.set_status(static_cast<v1::TaskStatus>(row.Int(7)));
  const std::vector<std::string> reminders =
      absl::StrSplit(row.Str(8), '\n', absl::SkipEmpty());
  for (const std::string& at : reminders) {
    *t.add_reminder_times() = TimestampFromDateTime(at);
  }
  t.set_customer(LinkName("customers", row.Int(9)));
  t.set_opportunity(LinkName("opportunities", row.Int(10)));
  t.set_origin(row.Str(11));
  t.set_creator(row.Str(12));
  if (!row.IsNull(13)) *t.mutable_complete_time() = TimestampFromDateTime(row.Str(13));
  *t.mutable_create_time() = TimestampFromDateTime(row.Str(14));
  *t.mutable_update_time() = TimestampFromDateTime(row.Str(15));
  return t;
}

const api::ResourceFields& Fields() {
  static const auto* fields = new api::ResourceFields(
      {
          {.name = "assignee", .column = "t.assignee"},
          {.name = "status",
           .type = api::FieldType::kEnum,
           .column = "t.status",
           .enum_values = api::EnumValues(*v1::TaskStatus_descriptor())},
          {.name = "priority",
           .type = api::FieldType::kEnum,
           .column = "t.priority",
           .enum_values = api::EnumValues(*v1::Priority_descriptor())},
          {.name = "due_time",
           .type = api::FieldType::kTimestamp,
           .column = "t.due_time",
           .orderable = true},
      },
      "t.id");
  return *fields;
}

// Tells the assignee of `task` that `actor` gave it to them (nothing when they took it
// themselves), keyed by the task's version so a retried write tells them once.
absl::Status TellAssignee(db::Transaction& tx, const v1::Task& task, std::string_view actor,
                          absl::Time now) {
  return Notify(tx, {.recipient = task.assignee(),
                     .kind = v1::TASK_ASSIGNED,
                     .title = absl::StrCat("Task for you: ", task.title()),
                     .body = absl::StrCat("Due ", absl::FormatTime(absl::RFC3339_sec,
                                                          FromTimestamp(task.due_time()),
                                                          absl::UTCTimeZone())),
                     .resource = task.name(),
                     .actor = std::string(actor),
                     .source_event = absl::StrCat(task.name(), "@", task.etag()),
                     .time = now,
                     // A follow-up's task is its own topic (notification preferences).
                     .topic = task.origin().empty() ? v1::NOTIFICATION_TOPIC_TASKS
                                                    : v1::NOTIFICATION_TOPIC_FOLLOW_UPS})
      .status();
}

absl::Status TaskClosed(const v1::Task& task) {
  return Error(absl::StatusCode::kFailedPrecondition, "TASK_CLOSED",
               absl::StrCat(task.name(), " is ", v1::TaskStatus_Name(task.status()),
                            "; reopen it (status OPEN) first"));
}

}  // namespace

TaskStore::TaskStore(db::Pool& pool, const Clock& clock)
    : pool_(pool),
      clock_(clock),
      tasks_({.collection = kTasks,
              .not_found_reason = "TASK_NOT_FOUND",
              .owner_column = "t.assignee",
              .select_by_id = sql::kSelectTaskById,
              .owner_index = sql::kTaskOwnerIndex,
              .select_columns = sql::kSelectTaskColumns,
              .column_count = sql::kTaskColumnCount,
              .from_live = sql::kFromLiveTasks}) {}

const api::ListSpec& TaskStore::ListSpec() {
  static const api::ListSpec spec{.fields = &Fields(), .default_order = "due_time"};
  return spec;
}

absl::StatusOr<v1::Task> TaskStore::Read(db::Transaction& tx, int64_t id) {
  CRM_ASSIGN_OR_RETURN(db::Rows read, tx.Query(sql::kSelectTaskById, {id}));
  if (read.empty()) return absl::InternalError("a task vanished in its own transaction");
  return FromRow(read[0]);
}

absl::StatusOr<int64_t> TaskStore::Insert(db::Transaction& tx, const v1::Task& t,
                                          std::string_view origin, const db::Value& source_event,
                                          std::string_view creator) {
  const std::string now = db::FormatDateTime(clock_.Now());
  CRM_ASSIGN_OR_RETURN(
      db::Rows rows,
      tx.Query(sql::kInsertTask,
               {t.title(), t.description(), t.assignee(), DateTime(t.due_time()),
                int64_t{t.priority()}, int64_t{v1::OPEN}, JoinReminders(t),
                LinkId(t.customer(), "customers"), LinkId(t.opportunity(), "opportunities"),
                std::string(origin), source_event, std::string(creator), now, now}));
  return rows.at(0).Int(0);
}

absl::StatusOr<v1::Task> TaskStore::Create(const records::Access& access, const v1::Task& input,
                                           const db::IdempotencyKey& key) {
  if (input.assignee() != access.actor()) {
    CRM_RETURN_IF_ERROR(
        access.CheckOwnerChange(input.assignee(), input.assignee(), kAssigneeField));
  }
  return db::IdempotentWrite<v1::Task>(
      pool_, key, [&](db::Transaction& tx, v1::Task& created) -> absl::Status {
        CRM_ASSIGN_OR_RETURN(int64_t id,
                             Insert(tx, input, access.actor(), db::Value(), access.actor()));
        CRM_ASSIGN_OR_RETURN(created, Read(tx, id));
        CRM_RETURN_IF_ERROR(TellAssignee(tx, created, access.actor(), clock_.Now()));
        return events::Append(
            tx, {.type = kTaskCreatedEvent, .resource = created.name(), .actor = access.actor()},
            created);
      });
}

absl::StatusOr<bool> TaskStore::CreateFromEvent(db::Transaction& tx, const v1::Task& task,
                                                std::string_view event_id,
                                                std::string_view actor) {
  CRM_ASSIGN_OR_RETURN(db::Rows existing, tx.Query(sql::kTaskOfEvent, {std::string(event_id)}));
  if (!existing.empty()) return false;
  CRM_ASSIGN_OR_RETURN(int64_t id, Insert(tx, task, task.origin(), std::string(event_id), actor));
  CRM_ASSIGN_OR_RETURN(v1::Task created, Read(tx, id));
  CRM_RETURN_IF_ERROR(TellAssignee(tx, created, actor, clock_.Now()));
  CRM_RETURN_IF_ERROR(events::Append(
      tx, {.type = kTaskCreatedEvent, .resource = created.name(), .actor = actor},
      created));
  return true;
}

absl::StatusOr<v1::Task> TaskStore::Get(const records::Access& access, int64_t id) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  CRM_ASSIGN_OR_RETURN(db::Row row, tasks_.Get(*session, access, id));
  return FromRow(row);
}

absl::StatusOr<api::Page<v1::Task>> TaskStore::List(const records::Access& access,
                                                    const api::ListQuery& query) {
  CRM_ASSIGN_OR_RETURN(auto session, pool_.Borrow());
  return tasks_.List<v1::Task>(*session, access, query, FromRow);
}

absl::Status TaskStore::Write(db::Transaction& tx, const records::Access& access, int64_t id,
                              const v1::Task& t) {
  db::Value complete_time;
  if (t.has_complete_time()) complete_time = DateTime(t.complete_time());
  return tasks_.Write(tx, access, sql::kUpdateTask,
                      {t.title(), t.description(), t.assignee(), DateTime(t.due_time()),
                       int64_t{t.priority()}, int64_t{t.status()}, JoinReminders(t),
                       LinkId(t.customer(), "customers"), LinkId(t.opportunity(), "opportunities"),
                       complete_time, db::FormatDateTime(clock_.Now()), id});
}

absl::StatusOr<v1::Task> TaskStore::Update(const records::Access& access, int64_t id,
                                           std::optional<int64_t> expected_version,
                                           const Mutation& mutate,
                                           const db::IdempotencyKey& key) {
  return db::IdempotentWrite<v1::Task>(
      pool_, key, [&](db::Transaction& tx, v1::Task& updated) -> absl::Status {
        CRM_ASSIGN_OR_RETURN(db::Row row, tasks_.Lock(tx, access, id));
        const v1::Task current = FromRow(row);
        CRM_RETURN_IF_ERROR(api::CheckVersion(current.name(), row.Int(1), expected_version));
        updated = current;
        CRM_RETURN_IF_ERROR(mutate(updated));
        if (current.status() != v1::OPEN && updated.status() != v1::OPEN) {
          return TaskClosed(current);
        }
        if (updated.status() == v1::DONE && current.status() != v1::DONE) {
          return InvalidField("task.status", "use CompleteTask to mark a task DONE");
        }
        if (updated.status() == v1::OPEN) updated.clear_complete_time();
        if (updated.assignee() != current.assignee()) {
          CRM_RETURN_IF_ERROR(
              access.CheckOwnerChange(current.assignee(), updated.assignee(), kAssigneeField));
        }
        CRM_RETURN_IF_ERROR(Write(tx, access, id, updated));
        CRM_ASSIGN_OR_RETURN(updated, Read(tx, id));
        if (updated.assignee() != current.assignee()) {
          CRM_RETURN_IF_ERROR(TellAssignee(tx, updated, access.actor(), clock_.Now()));
        }
        const bool cancelled = current.status() != v1::CANCELLED &&
                               updated.status() == v1::CANCELLED;
        return events::Append(tx,
                              {.type = cancelled ? kTaskCancelledEvent : kTaskUpdatedEvent,
                               .resource = updated.name(),
                               .actor = access.actor(),
                               .changed_paths = api::ChangedPaths(current, updated, {})},
                              updated);
      });
}

absl::StatusOr<v1::Task> TaskStore::Complete(const records::Access& access, int64_t id,
                                             std::optional<int64_t> expected_version,
                                             const db::IdempotencyKey& key) {
  return db::IdempotentWrite<v1::Task>(
      pool_, key, [&](db::Transaction& tx, v1::Task& completed) -> absl::Status {
        CRM_ASSIGN_OR_RETURN(db::Row row, tasks_.Lock(tx, access, id));
        const v1::Task current = FromRow(row);
        CRM_RETURN_IF_ERROR(api::CheckVersion(current.name(), row.Int(1), expected_version));
        completed = current;
        if (current.status() == v1::DONE) return absl::OkStatus();
        if (current.status() != v1::OPEN) return TaskClosed(current);
        completed.set_status(v1::DONE);
        *completed.mutable_complete_time() = ToTimestamp(clock_.Now());
        CRM_RETURN_IF_ERROR(Write(tx, access, id, completed));
        CRM_ASSIGN_OR_RETURN(completed, Read(tx, id));
        return events::Append(tx,
                              {.type = kTaskCompletedEvent,
                               .resource = completed.name(),
                               .actor = access.actor(),
                               .changed_paths = {"status", "complete_time"}},
                              completed);
      });
}

}  // namespace crm::activities
