#include "services/customers/service.h"

#include <optional>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libs/api/resource.h"
#include "libs/auth/visibility.h"
#include "libs/db/idempotency.h"
#include "libs/grpc/status.h"
#include "services/customers/validation.h"

namespace crm::customers {
namespace {

constexpr char kDomain[] = "customers.crm";
constexpr char kCollection[] = "customers";
constexpr char kDefaultOrder[] = "create_time desc";

// What UpdateCustomer may change; "*" means all of these.
const std::set<std::string>& UpdatablePaths() {
  static const auto* paths = new std::set<std::string>{
      "display_name", "kind",   "industry", "size_band", "region", "address",
      "tags",         "emails", "phones",   "source",    "owner",  "notes"};
  return *paths;
}

}  // namespace

absl::StatusOr<Caller> CustomerService::Authorize(const grpc::CallbackServerContext& ctx,
                                                  std::string_view method) const {
  CRM_ASSIGN_OR_RETURN(auth::Principal principal, authorizer_.Authorize(ctx, method));
  Caller caller{.principal = std::move(principal)};
  const auto& metadata = ctx.client_metadata();
  if (auto it = metadata.find("authorization"); it != metadata.end()) {
    caller.authorization.assign(it->second.data(), it->second.size());
  }
  return caller;
}

absl::StatusOr<auth::Principal> CustomerService::Resolve(const Caller& caller) {
  auth::Principal principal = caller.principal;
  absl::Status resolved = members_.Resolve(principal, caller.authorization);
  if (resolved.ok()) return principal;
  if (resolved.code() == absl::StatusCode::kUnavailable ||
      resolved.code() == absl::StatusCode::kDeadlineExceeded) {
    return Error(absl::StatusCode::kUnavailable, "AUTH_UNAVAILABLE",
                 "your team cannot be looked up right now; try again");
  }
  return resolved;
}

absl::Status CustomerService::CheckNewOwner(const Caller& caller, const auth::Principal& principal,
                                            const std::string& from, const std::string& to) {
  // Managers may move records only between themself and the current members of the teams
  // they manage (active users, as the auth service lists them); nobody else but an admin
  // may move them at all. Neither learns anything about users outside that circle.
  CRM_RETURN_IF_ERROR(auth::CheckOwnerChange(principal, from, to));
  if (!principal.Is(auth::v1::ADMIN) || to == principal.user) return absl::OkStatus();
  // An admin may name anyone, so the name must be an active user.
  absl::StatusOr<auth::v1::User> user = users_.GetUser(to, caller.authorization);
  if (!user.ok()) {
    switch (user.status().code()) {
      case absl::StatusCode::kNotFound:
        return InvalidField("customer.owner", "is not an existing user");
      case absl::StatusCode::kUnavailable:
      case absl::StatusCode::kDeadlineExceeded:
        return Error(absl::StatusCode::kUnavailable, "AUTH_UNAVAILABLE",
                     "the new owner cannot be checked right now; try again");
      default:
        return user.status();
    }
  }
  if (!user->active()) return InvalidField("customer.owner", "is a disabled user");
  return absl::OkStatus();
}

absl::Status CustomerService::Create(const Caller& caller, const v1::CreateCustomerRequest& request,
                                     v1::Customer* response) {
  CRM_RETURN_IF_ERROR(authorizer_.policy().Check(caller.principal, kCreateMethod));
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

  customer.set_creator(caller.principal.user);
  if (customer.owner().empty() || customer.owner() == caller.principal.user) {
    customer.set_owner(caller.principal.user);
  } else {
    // Creating a customer for someone else is the same as moving it to them: ADMIN to
    // anyone, a manager to the members of the teams they manage.
    CRM_ASSIGN_OR_RETURN(const auth::Principal principal, Resolve(caller));
    CRM_RETURN_IF_ERROR(CheckNewOwner(caller, principal, customer.owner(), customer.owner()));
  }
  CRM_ASSIGN_OR_RETURN(
      *response, store_.Create(customer, db::KeyFor("CreateCustomer", request, caller.principal.user)));
  return absl::OkStatus();
}

absl::Status CustomerService::Get(const Caller& caller, const v1::GetCustomerRequest& request,
                                  v1::Customer* response) {
  CRM_RETURN_IF_ERROR(authorizer_.policy().Check(caller.principal, kGetMethod));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.name(), kCollection, "name"));
  CRM_ASSIGN_OR_RETURN(const auth::Principal principal, Resolve(caller));
  CRM_ASSIGN_OR_RETURN(*response, store_.Get(principal, id));
  return absl::OkStatus();
}

absl::Status CustomerService::List(const Caller& caller, const v1::ListCustomersRequest& request,
                                   v1::ListCustomersResponse* response) {
  CRM_RETURN_IF_ERROR(authorizer_.policy().Check(caller.principal, kListMethod));
  CRM_ASSIGN_OR_RETURN(int page_size,
                       api::EffectivePageSize(request.page_size(), options_.default_page_size,
                                              options_.max_page_size));
  const api::ResourceFields& fields = CustomerStore::Fields();
  CRM_ASSIGN_OR_RETURN(api::SqlFragment filter, api::CompileFilter(request.filter(), fields));
  CRM_ASSIGN_OR_RETURN(std::vector<api::OrderTerm> order,
                       api::ParseOrderBy(request.order_by(), kDefaultOrder, fields));

  // Tokens are bound to the query they continue and to the user they were issued to: the
  // keyset position in one says something about customers only that user may see.
  std::string binding =
      api::PageBinding(request.filter(), request.order_by(), caller.principal.user);
  CRM_ASSIGN_OR_RETURN(std::optional<std::vector<db::Value>> after,
                       api::DecodePageToken(tokens_, request.page_token(), binding, order.size()));
  CRM_ASSIGN_OR_RETURN(const auth::Principal principal, Resolve(caller));
  CRM_ASSIGN_OR_RETURN(CustomerStore::Page page,
                       store_.List(principal, filter, order, after ? &*after : nullptr, page_size));
  for (auto& c : page.customers) *response->add_customers() = std::move(c);
  if (page.has_more) response->set_next_page_token(tokens_.Encode(binding, page.last_key));
  return absl::OkStatus();
}

absl::Status CustomerService::Update(const Caller& caller, const v1::UpdateCustomerRequest& request,
                                     v1::Customer* response) {
  CRM_RETURN_IF_ERROR(authorizer_.policy().Check(caller.principal, kUpdateMethod));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(
      const api::UpdateTarget target,
      api::ParseUpdateTarget(request.has_customer(), request.customer(),
                             request.has_update_mask(), request.update_mask(), kCollection,
                             "customer", UpdatablePaths()));

  CRM_ASSIGN_OR_RETURN(const auth::Principal principal, Resolve(caller));
  // Runs with the row locked, after the store checked that the caller may write it.
  auto mutate = [&](const v1::Customer& current, v1::Customer& updated) -> absl::Status {
    CRM_RETURN_IF_ERROR(
        api::ApplyFieldMask(request.update_mask(), request.customer(), &updated, UpdatablePaths()));
    CRM_RETURN_IF_ERROR(NormalizeAndValidate(updated, "customer", options_.default_phone_region));
    if (updated.owner() == current.owner()) return absl::OkStatus();  // e.g. "*" with it as is

    if (updated.owner().empty()) {
      return InvalidField("customer.owner", "is required: every customer has an owner");
    }
    return CheckNewOwner(caller, principal, current.owner(), updated.owner());
  };
  CRM_ASSIGN_OR_RETURN(*response, store_.Update(principal, target.id, target.version, mutate,
                                                db::KeyFor("UpdateCustomer", request, principal.user)));
  return absl::OkStatus();
}

absl::Status CustomerService::Delete(const Caller& caller,
                                     const v1::DeleteCustomerRequest& request) {
  CRM_RETURN_IF_ERROR(authorizer_.policy().Check(caller.principal, kDeleteMethod));
  CRM_RETURN_IF_ERROR(api::ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.name(), kCollection, "name"));
  CRM_ASSIGN_OR_RETURN(std::optional<int64_t> version, api::OptionalVersion(request.etag()));
  CRM_ASSIGN_OR_RETURN(const auth::Principal principal, Resolve(caller));
  return store_.Delete(principal, id, version, db::KeyFor("DeleteCustomer", request, principal.user));
}

grpc::ServerUnaryReactor* CustomerService::CreateCustomer(grpc::CallbackServerContext* ctx,
                                                          const v1::CreateCustomerRequest* request,
                                                          v1::Customer* response) {
  return RunAuthorized(
      ctx, executor_, kDomain, Authorize(*ctx, kCreateMethod),
      [=, this](const Caller& caller) { return Create(caller, *request, response); });
}

grpc::ServerUnaryReactor* CustomerService::GetCustomer(grpc::CallbackServerContext* ctx,
                                                       const v1::GetCustomerRequest* request,
                                                       v1::Customer* response) {
  return RunAuthorized(ctx, executor_, kDomain, Authorize(*ctx, kGetMethod),
                       [=, this](const Caller& caller) { return Get(caller, *request, response); });
}

grpc::ServerUnaryReactor* CustomerService::ListCustomers(grpc::CallbackServerContext* ctx,
                                                         const v1::ListCustomersRequest* request,
                                                         v1::ListCustomersResponse* response) {
  return RunAuthorized(
      ctx, executor_, kDomain, Authorize(*ctx, kListMethod),
      [=, this](const Caller& caller) { return List(caller, *request, response); });
}

grpc::ServerUnaryReactor* CustomerService::UpdateCustomer(grpc::CallbackServerContext* ctx,
                                                          const v1::UpdateCustomerRequest* request,
                                                          v1::Customer* response) {
  return RunAuthorized(
      ctx, executor_, kDomain, Authorize(*ctx, kUpdateMethod),
      [=, this](const Caller& caller) { return Update(caller, *request, response); });
}

grpc::ServerUnaryReactor* CustomerService::DeleteCustomer(grpc::CallbackServerContext* ctx,
                                                          const v1::DeleteCustomerRequest* request,
                                                          google::protobuf::Empty*) {
  return RunAuthorized(ctx, executor_, kDomain, Authorize(*ctx, kDeleteMethod),
                       [=, this](const Caller& caller) { return Delete(caller, *request); });
}

}  // namespace crm::customers
