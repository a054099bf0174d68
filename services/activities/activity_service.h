// crm.activities.v1.ActivityService: request rules and API semantics for follow-up records.
// Who may see and change which record is decided by the owned-record kit on the linked
// customer's owner, once per call; the customer a write names is checked with the caller's
// rights in the customers service before anything is written.
#pragma once

#include <google/protobuf/empty.pb.h>

#include "crm/activities/v1/activities.grpc.pb.h"
#include "libs/auth/caller.h"
#include "libs/service/process.h"
#include "services/activities/activity_store.h"
#include "services/activities/clients.h"

namespace crm::activities {

class ActivityService final : public v1::ActivityService::CallbackService {
 public:
#define CRM_ACTIVITY_METHOD(name) "/crm.activities.v1.ActivityService/" #name
  static constexpr char kCreateActivity[] = CRM_ACTIVITY_METHOD(CreateActivity);
  static constexpr char kGetActivity[] = CRM_ACTIVITY_METHOD(GetActivity);
  static constexpr char kListActivities[] = CRM_ACTIVITY_METHOD(ListActivities);
  static constexpr char kUpdateActivity[] = CRM_ACTIVITY_METHOD(UpdateActivity);
  static constexpr char kDeleteActivity[] = CRM_ACTIVITY_METHOD(DeleteActivity);
#undef CRM_ACTIVITY_METHOD

  ActivityService(const service::Kit& kit, ActivityStore& store, CustomerDirectory& customers)
      : rpc_(kit.rpc),
        access_(kit.access),
        page_tokens_(kit.page_tokens),
        store_(store),
        customers_(customers) {}

#define CRM_SERVE(Method, Request, Response)                                                  \
  grpc::ServerUnaryReactor* Method(grpc::CallbackServerContext* ctx,                          \
                                   const v1::Request* request, Response* response) override { \
    return rpc_.Serve(ctx, k##Method, this, &ActivityService::Do##Method, request, response); \
  }
  CRM_SERVE(CreateActivity, CreateActivityRequest, v1::Activity)
  CRM_SERVE(GetActivity, GetActivityRequest, v1::Activity)
  CRM_SERVE(ListActivities, ListActivitiesRequest, v1::ListActivitiesResponse)
  CRM_SERVE(UpdateActivity, UpdateActivityRequest, v1::Activity)
  CRM_SERVE(DeleteActivity, DeleteActivityRequest, google::protobuf::Empty)
#undef CRM_SERVE

  absl::Status DoCreateActivity(const auth::Caller& caller,
                                const v1::CreateActivityRequest& request,
                                v1::Activity* response);
  absl::Status DoGetActivity(const auth::Caller& caller, const v1::GetActivityRequest& request,
                             v1::Activity* response);
  absl::Status DoListActivities(const auth::Caller& caller,
                                const v1::ListActivitiesRequest& request,
                                v1::ListActivitiesResponse* response);
  absl::Status DoUpdateActivity(const auth::Caller& caller,
                                const v1::UpdateActivityRequest& request,
                                v1::Activity* response);
  absl::Status DoDeleteActivity(const auth::Caller& caller,
                                const v1::DeleteActivityRequest& request,
                                google::protobuf::Empty* response);

 private:
  service::Rpc& rpc_;
  const records::AccessResolver& access_;
  const api::PageTokenCodec& page_tokens_;
  ActivityStore& store_;
  CustomerDirectory& customers_;
};

}  // namespace crm::activities
