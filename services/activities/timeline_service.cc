#include "services/activities/timeline_service.h"

#include "absl/strings/str_cat.h"
#include "libs/api/list.h"
#include "libs/api/resource.h"
#include "libs/grpc/status.h"

namespace crm::activities {
namespace {

absl::Status CustomerNotFound(std::string_view customer) {
  return Error(absl::StatusCode::kNotFound, "CUSTOMER_NOT_FOUND",
               absl::StrCat(std::string(customer), " does not exist or is not yours to see"));
}

}  // namespace

absl::Status TimelineService::DoGetCustomerTimeline(const auth::Caller& caller,
                                                    const v1::GetCustomerTimelineRequest& request,
                                                    v1::GetCustomerTimelineResponse* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kGetCustomerTimeline));
  CRM_ASSIGN_OR_RETURN(const int64_t customer_id,
                       api::ParseResourceId(request.customer(), "customers", "customer"));
  // The customers' record rules on the owner this service keeps for its activities. A customer
  // it has not heard of yet (the customers feed is behind) is asked of the customers service
  // with the caller's token instead, which applies the same rules.
  CRM_ASSIGN_OR_RETURN(const std::optional<std::string> owner, store_.KnownOwner(customer_id));
  if (owner) {
    if (!access.Can(auth::Operation::kRead, *owner)) return CustomerNotFound(request.customer());
  } else {
    absl::StatusOr<CustomerOwner> asked = customers_.GetCustomer(caller, request.customer());
    if (absl::IsNotFound(asked.status())) return CustomerNotFound(request.customer());
    CRM_RETURN_IF_ERROR(asked.status());
  }
  // The page token is bound to the caller and the customer.
  CRM_ASSIGN_OR_RETURN(
      const api::ListQuery query,
      api::PrepareList(request.page_size(), "", "", request.page_token(), TimelineStore::ListSpec(),
                       page_tokens_, absl::StrCat(access.actor(), " ", request.customer())));
  CRM_ASSIGN_OR_RETURN(api::Page<v1::TimelineEntry> page, store_.Page(customer_id, query));
  for (v1::TimelineEntry& e : page.items) *response->add_entries() = std::move(e);
  response->set_next_page_token(api::NextPageToken(page_tokens_, query, page));
  return absl::OkStatus();
}

}  // namespace crm::activities
