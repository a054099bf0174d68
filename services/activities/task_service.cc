#include "services/activities/task_service.h"

#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "libs/api/list.h"
#include "libs/api/resource.h"
#include "libs/base/time.h"
#include "libs/db/idempotency.h"
#include "libs/grpc/status.h"
#include "services/activities/links.h"
#include "services/activities/validation.h"

namespace crm::activities {
namespace {

constexpr char kTasks[] = "tasks";

// What UpdateTask may change; "*" means all of these.
const std::set<std::string>& UpdatablePaths() {
  static const auto* paths = new std::set<std::string>{
      "title",  "description",    "assignee", "due_time",   "priority",
      "status", "reminder_times", "customer", "opportunity"};
  return *paths;
}

}  // namespace

absl::Status TaskService::DoCreateTask(const auth::Caller& caller,
                                       const v1::CreateTaskRequest& request, v1::Task* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kCreateTask));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  if (!request.has_task()) return InvalidField("task", "is required");
  v1::Task task = request.task();
  ClearOutputOnly(task);
  task.set_status(v1::OPEN);
  CRM_RETURN_IF_ERROR(NormalizeAndValidateTask(task, "task"));
  if (task.assignee().empty()) task.set_assignee(access.actor());
  if (!task.customer().empty()) {
    CRM_RETURN_IF_ERROR(
        CheckCustomer(customers_, caller, task.customer(), "task.customer").status());
  }
  CRM_ASSIGN_OR_RETURN(
      *response, store_.Create(access, task, db::KeyFor("CreateTask", request, access.actor())));
  return absl::OkStatus();
}

absl::Status TaskService::DoGetTask(const auth::Caller& caller, const v1::GetTaskRequest& request,
                                    v1::Task* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kGetTask));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.name(), kTasks, "name"));
  CRM_ASSIGN_OR_RETURN(*response, store_.Get(access, id));
  return absl::OkStatus();
}

absl::Status TaskService::DoUpdateTask(const auth::Caller& caller,
                                       const v1::UpdateTaskRequest& request, v1::Task* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kUpdateTask));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(const api::UpdateTarget target,
                       api::ParseUpdateTarget(request.has_task(), request.task(),
                                              request.has_update_mask(), request.update_mask(),
                                              kTasks, "task", UpdatablePaths()));
  const v1::Task& given = request.task();
  if (MaskNames(request.update_mask(), "status") && given.status() == v1::TASK_STATUS_UNSPECIFIED) {
    return InvalidField("task.status", "must be OPEN or CANCELLED");
  }
  if (MaskNames(request.update_mask(), "customer") && !given.customer().empty()) {
    if (!api::ParseResourceId(given.customer(), "customers").ok()) {
      return InvalidField("task.customer", "must be a customer name like \"customers/42\"");
    }
    CRM_RETURN_IF_ERROR(
        CheckCustomer(customers_, caller, given.customer(), "task.customer").status());
  }
  auto mutate = [&](v1::Task& updated) -> absl::Status {
    CRM_RETURN_IF_ERROR(
        api::ApplyFieldMask(request.update_mask(), given, &updated, UpdatablePaths()));
    if (updated.assignee().empty()) updated.set_assignee(access.actor());
    return NormalizeAndValidateTask(updated, "task");
  };
  CRM_ASSIGN_OR_RETURN(*response,
                       store_.Update(access, target.id, target.version, mutate,
                                     db::KeyFor("UpdateTask", request, access.actor())));
  return absl::OkStatus();
}

absl::Status TaskService::DoCompleteTask(const auth::Caller& caller,
                                         const v1::CompleteTaskRequest& request,
                                         v1::Task* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kCompleteTask));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.name(), kTasks, "name"));
  CRM_ASSIGN_OR_RETURN(std::optional<int64_t> version, api::OptionalVersion(request.etag()));
  CRM_ASSIGN_OR_RETURN(*response, store_.Complete(access, id, version,
                                                  db::KeyFor("CompleteTask", request,
                                                             access.actor())));
  return absl::OkStatus();
}

absl::Status TaskService::DoListMyTasks(const auth::Caller& caller,
                                        const v1::ListMyTasksRequest& request,
                                        v1::ListMyTasksResponse* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kListMyTasks));
  if (!v1::TaskStatus_IsValid(request.status())) {
    return InvalidField("status", "is not a task status");
  }
  if (!v1::Priority_IsValid(request.priority())) {
    return InvalidField("priority", "is not a priority");
  }
  // The request's filters as a filter of the task list, so that the page token is bound to
  // them like any List's: a token used with other filters is INVALID_PAGE_TOKEN.
  std::vector<std::string> terms = {absl::StrCat("assignee = \"", access.actor(), "\"")};
  if (request.has_due_before()) {
    terms.push_back(absl::StrCat(
        "due_time < ",
        absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", FromTimestamp(request.due_before()),
                         absl::UTCTimeZone())));
  }
  if (request.status() != v1::TASK_STATUS_UNSPECIFIED) {
    terms.push_back(absl::StrCat("status = ", v1::TaskStatus_Name(request.status())));
  }
  if (request.priority() != v1::PRIORITY_UNSPECIFIED) {
    terms.push_back(absl::StrCat("priority = ", v1::Priority_Name(request.priority())));
  }
  CRM_ASSIGN_OR_RETURN(const api::ListQuery query,
                       api::PrepareList(request.page_size(), absl::StrJoin(terms, " AND "), "",
                                        request.page_token(), TaskStore::ListSpec(), page_tokens_,
                                        access.actor()));
  CRM_ASSIGN_OR_RETURN(api::Page<v1::Task> page, store_.List(access, query));
  for (v1::Task& t : page.items) *response->add_tasks() = std::move(t);
  response->set_next_page_token(api::NextPageToken(page_tokens_, query, page));
  return absl::OkStatus();
}

}  // namespace crm::activities
