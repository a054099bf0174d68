#include "services/customers/service.h"

#include <optional>

#include "libs/api/resource.h"
#include "libs/db/idempotency.h"
#include "libs/grpc/status.h"
#include "services/customers/validation.h"

namespace crm::customers {
namespace {

constexpr char kDomain[] = "customers.crm";
constexpr char kCollection[] = "customers";
constexpr char kDefaultOrder[] = "create_time desc";
constexpr size_t kMaxFilterLength = 2000;

// What UpdateCustomer may change; "*" means all of these.
const std::set<std::string>& UpdatablePaths() {
  static const auto* paths = new std::set<std::string>{
      "display_name", "kind",  "industry", "size_band", "region", "address",
      "tags",         "emails", "phones",  "source",    "owner",  "notes"};
  return *paths;
}

absl::StatusOr<std::optional<int64_t>> OptionalVersion(const std::string& etag,
                                                       std::string_view field) {
  if (etag.empty()) return std::optional<int64_t>();
  CRM_ASSIGN_OR_RETURN(int64_t version, api::VersionFromEtag(etag, field));
  return std::optional<int64_t>(version);
}

}  // namespace

absl::Status CustomerService::Create(const v1::CreateCustomerRequest& request,
                                     v1::Customer* response) {
  CRM_RETURN_IF_ERROR(ValidateRequestId(request.request_id(), /*required=*/false));
  if (!request.has_customer()) return InvalidField("customer", "is required");
  v1::Customer customer = request.customer();
  // Output-only fields are the server's to set.
  customer.clear_name();
  customer.clear_etag();
  customer.clear_create_time();
  customer.clear_update_time();
  customer.clear_creator();
  CRM_RETURN_IF_ERROR(NormalizeAndValidate(customer, "customer", options_.default_phone_region));
  CRM_ASSIGN_OR_RETURN(*response,
                       store_.Create(customer, db::KeyFor("CreateCustomer", request)));
  return absl::OkStatus();
}

absl::Status CustomerService::Get(const v1::GetCustomerRequest& request, v1::Customer* response) {
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.name(), kCollection, "name"));
  CRM_ASSIGN_OR_RETURN(*response, store_.Get(id));
  return absl::OkStatus();
}

absl::Status CustomerService::List(const v1::ListCustomersRequest& request,
                                   v1::ListCustomersResponse* response) {
  CRM_ASSIGN_OR_RETURN(int page_size, api::EffectivePageSize(request.page_size(),
                                                             options_.default_page_size,
                                                             options_.max_page_size));
  if (request.filter().size() > kMaxFilterLength) {
    return InvalidField("filter", "must be at most 2000 characters");
  }
  const api::ResourceFields& fields = CustomerStore::Fields();
  CRM_ASSIGN_OR_RETURN(api::SqlFragment filter, api::CompileFilter(request.filter(), fields));
  CRM_ASSIGN_OR_RETURN(std::vector<api::OrderTerm> order,
                       api::ParseOrderBy(request.order_by(), kDefaultOrder, fields));

  // Tokens are bound to the query they continue (and, once auth exists, to the caller).
  std::string binding = api::PageBinding(request.filter(), request.order_by(), "");
  std::optional<std::vector<db::Value>> after;
  if (!request.page_token().empty()) {
    CRM_ASSIGN_OR_RETURN(after, tokens_.Decode(request.page_token(), binding));
    // A token from before a change of the default order cannot continue this one.
    if (after->size() != order.size()) {
      return Error(absl::StatusCode::kInvalidArgument, "INVALID_PAGE_TOKEN",
                   "page_token was made for another ordering; start from the first page");
    }
  }
  CRM_ASSIGN_OR_RETURN(CustomerStore::Page page,
                       store_.List(filter, order, after ? &*after : nullptr, page_size));
  for (auto& c : page.customers) *response->add_customers() = std::move(c);
  if (page.has_more) response->set_next_page_token(tokens_.Encode(binding, page.last_key));
  return absl::OkStatus();
}

absl::Status CustomerService::Update(const v1::UpdateCustomerRequest& request,
                                     v1::Customer* response) {
  CRM_RETURN_IF_ERROR(ValidateRequestId(request.request_id(), /*required=*/false));
  if (!request.has_customer()) return InvalidField("customer", "is required");
  CRM_ASSIGN_OR_RETURN(int64_t id,
                       api::ParseResourceId(request.customer().name(), kCollection, "customer.name"));
  CRM_ASSIGN_OR_RETURN(std::optional<int64_t> version,
                       OptionalVersion(request.customer().etag(), "customer.etag"));
  if (!request.has_update_mask() || request.update_mask().paths().empty()) {
    return InvalidField("update_mask", "is required: name the fields to change, or \"*\"");
  }
  // Checking the mask before touching the database makes a bad path a cheap error.
  v1::Customer probe;
  CRM_RETURN_IF_ERROR(
      api::ApplyFieldMask(request.update_mask(), request.customer(), &probe, UpdatablePaths()));

  auto mutate = [&](v1::Customer& current) -> absl::Status {
    CRM_RETURN_IF_ERROR(
        api::ApplyFieldMask(request.update_mask(), request.customer(), &current, UpdatablePaths()));
    return NormalizeAndValidate(current, "customer", options_.default_phone_region);
  };
  CRM_ASSIGN_OR_RETURN(*response,
                       store_.Update(id, version, mutate, db::KeyFor("UpdateCustomer", request)));
  return absl::OkStatus();
}

absl::Status CustomerService::Delete(const v1::DeleteCustomerRequest& request) {
  CRM_RETURN_IF_ERROR(ValidateRequestId(request.request_id(), /*required=*/false));
  CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(request.name(), kCollection, "name"));
  CRM_ASSIGN_OR_RETURN(std::optional<int64_t> version, OptionalVersion(request.etag(), "etag"));
  return store_.Delete(id, version, db::KeyFor("DeleteCustomer", request));
}

grpc::ServerUnaryReactor* CustomerService::CreateCustomer(grpc::CallbackServerContext* ctx,
                                                          const v1::CreateCustomerRequest* request,
                                                          v1::Customer* response) {
  return RunBlocking(ctx, executor_, kDomain, [=, this] { return Create(*request, response); });
}

grpc::ServerUnaryReactor* CustomerService::GetCustomer(grpc::CallbackServerContext* ctx,
                                                       const v1::GetCustomerRequest* request,
                                                       v1::Customer* response) {
  return RunBlocking(ctx, executor_, kDomain, [=, this] { return Get(*request, response); });
}

grpc::ServerUnaryReactor* CustomerService::ListCustomers(grpc::CallbackServerContext* ctx,
                                                         const v1::ListCustomersRequest* request,
                                                         v1::ListCustomersResponse* response) {
  return RunBlocking(ctx, executor_, kDomain, [=, this] { return List(*request, response); });
}

grpc::ServerUnaryReactor* CustomerService::UpdateCustomer(grpc::CallbackServerContext* ctx,
                                                          const v1::UpdateCustomerRequest* request,
                                                          v1::Customer* response) {
  return RunBlocking(ctx, executor_, kDomain, [=, this] { return Update(*request, response); });
}

grpc::ServerUnaryReactor* CustomerService::DeleteCustomer(grpc::CallbackServerContext* ctx,
                                                          const v1::DeleteCustomerRequest* request,
                                                          google::protobuf::Empty*) {
  return RunBlocking(ctx, executor_, kDomain, [=, this] { return Delete(*request); });
}

}  // namespace crm::customers
