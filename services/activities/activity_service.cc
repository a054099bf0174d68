#include "services/activities/activity_service.h"

#include <set>

#include "libs/api/list.h"
#include "libs/api/resource.h"
#include "libs/db/idempotency.h"
#include "libs/grpc/status.h"
#include "services/activities/campaign_service.h"
#include "services/activities/links.h"
#include "services/activities/validation.h"

namespace crm::activities {
namespace {

constexpr char kActivities[] = "activities";

// What UpdateActivity may change; "*" means all of these.
const std::set<std::string>& UpdatablePaths() {
  static const auto* paths = new std::set<std::string>{
      "kind",        "direction", "customer",      "contact",          "lead",
      "opportunity", "order",     "activity_time", "duration_seconds", "outcome",
      "summary",     "next_step", "attachments",   "performer",        "campaign"};
  return *paths;
}

}  // namespace

absl::Status ActivityService::DoCreateActivity(const auth::Caller& caller,
                                               const v1::CreateActivityRequest& request,
                                               v1::Activity* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kCreateActivity));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  if (!request.has_activity()) return InvalidField("activity", "is required");
  v1::Activity activity = request.activity();
  ClearOutputOnly(activity);
  CRM_RETURN_IF_ERROR(NormalizeAndValidateActivity(activity, "activity"));
  if (activity.performer().empty()) activity.set_performer(access.actor());
  CRM_ASSIGN_OR_RETURN(const CustomerOwner customer,
                       CheckCustomer(customers_, caller, activity.customer(), "activity.customer"));
  CRM_ASSIGN_OR_RETURN(*response,
                       store_.Create(access, activity, customer, CampaignCallerOf(caller),
                                     db::KeyFor("CreateActivity", request, access.actor())));
  return absl::OkStatus();
}

absl::Status ActivityService::DoGetActivity(const auth::Caller& caller,
                                            const v1::GetActivityRequest& request,
                                            v1::Activity* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kGetActivity));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.name(), kActivities, "name"));
  CRM_ASSIGN_OR_RETURN(*response, store_.Get(access, id));
  return absl::OkStatus();
}

absl::Status ActivityService::DoListActivities(const auth::Caller& caller,
                                               const v1::ListActivitiesRequest& request,
                                               v1::ListActivitiesResponse* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kListActivities));
  CRM_ASSIGN_OR_RETURN(
      const api::ListQuery query,
      api::PrepareList(request, ActivityStore::ListSpec(), page_tokens_, access.actor()));
  CRM_ASSIGN_OR_RETURN(api::Page<v1::Activity> page, store_.List(access, query));
  for (v1::Activity& a : page.items) *response->add_activities() = std::move(a);
  response->set_next_page_token(api::NextPageToken(page_tokens_, query, page));
  return absl::OkStatus();
}

absl::Status ActivityService::DoUpdateActivity(const auth::Caller& caller,
                                               const v1::UpdateActivityRequest& request,
                                               v1::Activity* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kUpdateActivity));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(const api::UpdateTarget target,
                       api::ParseUpdateTarget(request.has_activity(), request.activity(),
                                              request.has_update_mask(), request.update_mask(),
                                              kActivities, "activity", UpdatablePaths()));
  const v1::Activity& given = request.activity();
  // A new customer is checked with the caller's rights before the record is locked.
  std::optional<CustomerOwner> customer;
  if (MaskNames(request.update_mask(), "customer")) {
    if (!api::ParseResourceId(given.customer(), "customers").ok()) {
      return InvalidField("activity.customer", "must be a customer name like \"customers/42\"");
    }
    CRM_ASSIGN_OR_RETURN(customer,
                         CheckCustomer(customers_, caller, given.customer(), "activity.customer"));
  }
  auto mutate = [&](v1::Activity& updated) -> absl::Status {
    CRM_RETURN_IF_ERROR(
        api::ApplyFieldMask(request.update_mask(), given, &updated, UpdatablePaths()));
    if (updated.performer().empty()) updated.set_performer(access.actor());
    return NormalizeAndValidateActivity(updated, "activity");
  };
  CRM_ASSIGN_OR_RETURN(
      *response,
      store_.Update(access, target.id, target.version, mutate, customer, CampaignCallerOf(caller),
                    db::KeyFor("UpdateActivity", request, access.actor())));
  return absl::OkStatus();
}

absl::Status ActivityService::DoDeleteActivity(const auth::Caller& caller,
                                               const v1::DeleteActivityRequest& request,
                                               google::protobuf::Empty*) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kDeleteActivity));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.name(), kActivities, "name"));
  CRM_ASSIGN_OR_RETURN(std::optional<int64_t> version, api::OptionalVersion(request.etag()));
  return store_.Delete(access, id, version,
                       db::KeyFor("DeleteActivity", request, access.actor()));
}

}  // namespace crm::activities
