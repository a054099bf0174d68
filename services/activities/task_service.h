// crm.activities.v1.TaskService: request rules and API semantics for tasks. Who may see and
// change which task is decided by the owned-record kit on its assignee, once per call; a
// customer a task names is checked with the caller's rights in the customers service.
#pragma once

#include "crm/activities/v1/activities.grpc.pb.h"
#include "libs/auth/caller.h"
#include "libs/service/process.h"
#include "services/activities/clients.h"
#include "services/activities/task_store.h"

namespace crm::activities {

class TaskService final : public v1::TaskService::CallbackService {
 public:
#define CRM_TASK_METHOD(name) "/crm.activities.v1.TaskService/" #name
  static constexpr char kCreateTask[] = CRM_TASK_METHOD(CreateTask);
  static constexpr char kGetTask[] = CRM_TASK_METHOD(GetTask);
  static constexpr char kUpdateTask[] = CRM_TASK_METHOD(UpdateTask);
  static constexpr char kCompleteTask[] = CRM_TASK_METHOD(CompleteTask);
  static constexpr char kListMyTasks[] = CRM_TASK_METHOD(ListMyTasks);
#undef CRM_TASK_METHOD

  TaskService(const service::Kit& kit, TaskStore& store, CustomerDirectory& customers)
      : rpc_(kit.rpc),
        access_(kit.access),
        page_tokens_(kit.page_tokens),
        store_(store),
        customers_(customers) {}

#define CRM_SERVE(Method, Request, Response)                                                  \
  grpc::ServerUnaryReactor* Method(grpc::CallbackServerContext* ctx,                          \
                                   const v1::Request* request, Response* response) override { \
    return rpc_.Serve(ctx, k##Method, this, &TaskService::Do##Method, request, response);     \
  }
  CRM_SERVE(CreateTask, CreateTaskRequest, v1::Task)
  CRM_SERVE(GetTask, GetTaskRequest, v1::Task)
  CRM_SERVE(UpdateTask, UpdateTaskRequest, v1::Task)
  CRM_SERVE(CompleteTask, CompleteTaskRequest, v1::Task)
  CRM_SERVE(ListMyTasks, ListMyTasksRequest, v1::ListMyTasksResponse)
#undef CRM_SERVE

  absl::Status DoCreateTask(const auth::Caller& caller, const v1::CreateTaskRequest& request,
                            v1::Task* response);
  absl::Status DoGetTask(const auth::Caller& caller, const v1::GetTaskRequest& request,
                         v1::Task* response);
  absl::Status DoUpdateTask(const auth::Caller& caller, const v1::UpdateTaskRequest& request,
                            v1::Task* response);
  absl::Status DoCompleteTask(const auth::Caller& caller, const v1::CompleteTaskRequest& request,
                              v1::Task* response);
  absl::Status DoListMyTasks(const auth::Caller& caller, const v1::ListMyTasksRequest& request,
                             v1::ListMyTasksResponse* response);

 private:
  service::Rpc& rpc_;
  const records::AccessResolver& access_;
  const api::PageTokenCodec& page_tokens_;
  TaskStore& store_;
  CustomerDirectory& customers_;
};

}  // namespace crm::activities
