#include "services/customers/service.h"

#include <set>

#include "libs/api/list.h"
#include "libs/api/resource.h"
#include "libs/db/idempotency.h"
#include "libs/grpc/status.h"
#include "services/customers/validation.h"

namespace crm::customers {
namespace {

constexpr char kCollection[] = "customers";

// What UpdateCustomer may change; "*" means all of these.
const std::set<std::string>& UpdatablePaths() {
  static const auto* paths = new std::set<std::string>{
      "display_name", "kind",   "industry", "size_band", "region", "address",
      "tags",         "emails", "phones",   "source",    "owner",  "notes"};
  return *paths;
}

}  // namespace

absl::Status CustomerService::Create(const auth::Caller& caller,
                                     const v1::CreateCustomerRequest& request,
                                     v1::Customer* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kCreateMethod));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  if (!request.has_customer()) return InvalidField("customer", "is required");
  v1::Customer customer = request.customer();
  // Output-only fields are the server's to set.
  customer.clear_name();
  customer.clear_etag();
  customer.clear_create_time();
  customer.clear_update_time();
  customer.clear_creator();
  CRM_RETURN_IF_ERROR(NormalizeAndValidate(customer, "customer", options_.default_phone_region));
  if (customer.owner().empty()) customer.set_owner(access.actor());
  CRM_ASSIGN_OR_RETURN(*response,
                       store_.Create(access, customer, db::KeyFor("CreateCustomer", request,
                                                                  access.actor())));
  return absl::OkStatus();
}

absl::Status CustomerService::Get(const auth::Caller& caller,
                                  const v1::GetCustomerRequest& request, v1::Customer* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kGetMethod));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.name(), kCollection, "name"));
  CRM_ASSIGN_OR_RETURN(*response, store_.Get(access, id));
  return absl::OkStatus();
}

absl::Status CustomerService::List(const auth::Caller& caller,
                                   const v1::ListCustomersRequest& request,
                                   v1::ListCustomersResponse* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kListMethod));
  // Page tokens are bound to the user: the keyset position in one says something about
  // customers only that user may see.
  CRM_ASSIGN_OR_RETURN(const api::ListQuery query,
                       api::PrepareList(request, CustomerStore::ListSpec(), page_tokens_,
                                        access.actor()));
  CRM_ASSIGN_OR_RETURN(api::Page<v1::Customer> page, store_.List(access, query));
  for (v1::Customer& customer : page.items) *response->add_customers() = std::move(customer);
  response->set_next_page_token(api::NextPageToken(page_tokens_, query, page));
  return absl::OkStatus();
}

absl::Status CustomerService::Update(const auth::Caller& caller,
                                     const v1::UpdateCustomerRequest& request,
                                     v1::Customer* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kUpdateMethod));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(
      const api::UpdateTarget target,
      api::ParseUpdateTarget(request.has_customer(), request.customer(),
                             request.has_update_mask(), request.update_mask(), kCollection,
                             "customer", UpdatablePaths()));
  // Runs with the record locked, after the store checked that the caller may write it; the
  // store checks an owner change with the same access afterwards.
  auto mutate = [&](v1::Customer& updated) -> absl::Status {
    CRM_RETURN_IF_ERROR(api::ApplyFieldMask(request.update_mask(), request.customer(), &updated,
                                            UpdatablePaths()));
    return NormalizeAndValidate(updated, "customer", options_.default_phone_region);
  };
  CRM_ASSIGN_OR_RETURN(*response,
                       store_.Update(access, target.id, target.version, mutate,
                                     db::KeyFor("UpdateCustomer", request, access.actor())));
  return absl::OkStatus();
}

absl::Status CustomerService::Delete(const auth::Caller& caller,
                                     const v1::DeleteCustomerRequest& request,
                                     google::protobuf::Empty*) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kDeleteMethod));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.name(), kCollection, "name"));
  CRM_ASSIGN_OR_RETURN(std::optional<int64_t> version, api::OptionalVersion(request.etag()));
  return store_.Delete(access, id, version, db::KeyFor("DeleteCustomer", request, access.actor()));
}

}  // namespace crm::customers
