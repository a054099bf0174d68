#include "services/customers/contact_service.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "libs/api/list.h"
#include "libs/api/resource.h"
#include "libs/db/idempotency.h"
#include "libs/grpc/status.h"
#include "services/customers/customer_rows.h"
#include "services/customers/validation.h"

namespace crm::customers {
namespace {

constexpr char kContacts[] = "contacts";

const std::set<std::string>& UpdatablePaths() {
  static const auto* paths = new std::set<std::string>{
      "display_name", "title", "department", "phones", "emails", "dates", "notes", "primary"};
  return *paths;
}

void ClearOutputOnly(v1::Contact& contact) {
  contact.clear_name();
  contact.clear_etag();
  contact.clear_creator();
  contact.clear_create_time();
  contact.clear_update_time();
}

}  // namespace

absl::Status ContactService::Create(const auth::Caller& caller,
                                    const v1::CreateContactRequest& request,
                                    v1::Contact* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kCreateMethod));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(int64_t customer,
                       api::ParseResourceId(request.parent(), kCustomers, "parent"));
  if (!request.has_contact()) return InvalidField("contact", "is required");
  v1::Contact contact = request.contact();
  ClearOutputOnly(contact);
  auto prepare = [&](v1::Contact& c, const v1::Customer& parent) {
    return NormalizeAndValidateContact(c, "contact",
                                       PhoneRegionOf(parent, options_.default_phone_region));
  };
  CRM_ASSIGN_OR_RETURN(*response,
                       contacts_.Create(access, customer, contact, prepare,
                                        db::KeyFor("CreateContact", request, access.actor())));
  return absl::OkStatus();
}

absl::Status ContactService::Get(const auth::Caller& caller, const v1::GetContactRequest& request,
                                 v1::Contact* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kGetMethod));
  CRM_ASSIGN_OR_RETURN(const api::ChildId id,
                       api::ParseChildResourceId(request.name(), kCustomers, kContacts, "name"));
  CRM_ASSIGN_OR_RETURN(*response, contacts_.Get(access, id.parent, id.id));
  return absl::OkStatus();
}

absl::Status ContactService::List(const auth::Caller& caller,
                                  const v1::ListContactsRequest& request,
                                  v1::ListContactsResponse* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kListMethod));
  CRM_ASSIGN_OR_RETURN(int64_t customer,
                       api::ParseResourceId(request.parent(), kCustomers, "parent"));
  CRM_ASSIGN_OR_RETURN(
      const api::ListQuery query,
      api::PrepareList(request.page_size(), request.filter(), request.order_by(),
                       request.page_token(), ContactStore::ListSpec(), page_tokens_,
                       absl::StrCat(access.actor(), "|", request.parent())));
  CRM_ASSIGN_OR_RETURN(api::Page<v1::Contact> page, contacts_.List(access, customer, query));
  for (v1::Contact& contact : page.items) *response->add_contacts() = std::move(contact);
  response->set_next_page_token(api::NextPageToken(page_tokens_, query, page));
  return absl::OkStatus();
}

absl::Status ContactService::Update(const auth::Caller& caller,
                                    const v1::UpdateContactRequest& request,
                                    v1::Contact* response) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kUpdateMethod));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  if (!request.has_contact()) return InvalidField("contact", "is required");
  CRM_ASSIGN_OR_RETURN(
      const api::ChildId id,
      api::ParseChildResourceId(request.contact().name(), kCustomers, kContacts, "contact.name"));
  CRM_ASSIGN_OR_RETURN(std::optional<int64_t> version,
                       api::OptionalVersion(request.contact().etag(), "contact.etag"));
  // A bad mask is refused before anything is read.
  v1::Contact probe;
  CRM_RETURN_IF_ERROR(
      api::ApplyFieldMask(request.update_mask(), request.contact(), &probe, UpdatablePaths()));
  auto mutate = [&](v1::Contact& updated, const v1::Customer& parent) -> absl::Status {
    CRM_RETURN_IF_ERROR(api::ApplyFieldMask(request.update_mask(), request.contact(), &updated,
                                            UpdatablePaths()));
    return NormalizeAndValidateContact(updated, "contact",
                                       PhoneRegionOf(parent, options_.default_phone_region));
  };
  CRM_ASSIGN_OR_RETURN(*response,
                       contacts_.Update(access, id.parent, id.id, version, mutate,
                                        db::KeyFor("UpdateContact", request, access.actor())));
  return absl::OkStatus();
}

absl::Status ContactService::Delete(const auth::Caller& caller,
                                    const v1::DeleteContactRequest& request,
                                    google::protobuf::Empty*) {
  CRM_ASSIGN_OR_RETURN(const records::Access access, access_.For(caller, kDeleteMethod));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(const api::ChildId id,
                       api::ParseChildResourceId(request.name(), kCustomers, kContacts, "name"));
  CRM_ASSIGN_OR_RETURN(std::optional<int64_t> version, api::OptionalVersion(request.etag()));
  return contacts_.Delete(access, id.parent, id.id, version,
                          db::KeyFor("DeleteContact", request, access.actor()));
}

}  // namespace crm::customers
