#include "services/activities/clients.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "crm/customers/v1/customers.grpc.pb.h"
#include "libs/api/resource.h"
#include "libs/grpc/status.h"
#include "libs/service/peers.h"

namespace crm::activities {
namespace {

class GrpcCustomerDirectory final : public CustomerDirectory {
 public:
  GrpcCustomerDirectory(std::shared_ptr<grpc::ChannelInterface> channel, absl::Duration timeout)
      : stub_(customers::v1::CustomerService::NewStub(std::move(channel))), timeout_(timeout) {}

  absl::StatusOr<CustomerOwner> GetCustomer(const auth::Caller& caller,
                                            std::string_view name) override {
    customers::v1::GetCustomerRequest request;
    request.set_name(std::string(name));
    customers::v1::Customer customer;
    // The caller's own token: a customer they may not see is NOT_FOUND at customers too.
    std::unique_ptr<grpc::ClientContext> ctx = service::CallFor(caller, timeout_);
    CRM_RETURN_IF_ERROR(FromPeer(stub_->GetCustomer(ctx.get(), request, &customer),
                                 "the customers service", "CUSTOMERS_UNAVAILABLE"));
    CRM_ASSIGN_OR_RETURN(int64_t id, api::ParseResourceId(customer.name(), "customers"));
    return CustomerOwner{.customer_id = id, .owner = customer.owner()};
  }

  absl::StatusOr<Matches> MatchCustomers(const auth::Caller& caller, std::string_view filter,
                                         int limit) override {
    customers::v1::ListCustomersRequest request;
    request.set_filter(std::string(filter));
    request.set_order_by("create_time");
    request.set_page_size(std::max(1, limit));
    customers::v1::ListCustomersResponse response;
    std::unique_ptr<grpc::ClientContext> ctx = service::CallFor(caller, timeout_);
    // The caller's own token: only the customers they may read are matched. A refused filter
    // is the caller's to fix, so its words are kept.
    CRM_RETURN_IF_ERROR(FromPeer(stub_->ListCustomers(ctx.get(), request, &response),
                                 "the customers service", "CUSTOMERS_UNAVAILABLE",
                                 PeerErrors::kAll));
    Matches matches;
    for (const customers::v1::Customer& c : response.customers()) {
      if (static_cast<int>(matches.names.size()) == limit) break;
      matches.names.push_back(c.name());
    }
    matches.more = !response.next_page_token().empty() ||
                   response.customers_size() > static_cast<int>(matches.names.size());
    return matches;
  }

 private:
  std::unique_ptr<customers::v1::CustomerService::Stub> stub_;
  const absl::Duration timeout_;
};

}  // namespace

absl::StatusOr<CustomerOwner> CheckCustomer(CustomerDirectory& customers,
                                            const auth::Caller& caller, std::string_view name,
                                            std::string_view field) {
  absl::StatusOr<CustomerOwner> customer = customers.GetCustomer(caller, name);
  if (absl::IsNotFound(customer.status())) {
    return InvalidField(field, "is not a customer you can see");
  }
  return customer;
}

namespace {

// What `filter` matches, a refusal worded on `field`.
absl::StatusOr<CustomerDirectory::Matches> Match(CustomerDirectory& customers,
                                                 const auth::Caller& caller,
                                                 std::string_view filter, int limit,
                                                 std::string_view field) {
  absl::StatusOr<CustomerDirectory::Matches> matches =
      customers.MatchCustomers(caller, filter, limit);
  if (absl::IsInvalidArgument(matches.status())) {
    std::string why;
    for (const FieldViolation& v : FieldViolations(matches.status())) {
      if (v.field == "filter") why = v.description;
    }
    return InvalidField(field, why.empty() ? std::string(matches.status().message()) : why);
  }
  return matches;
}

}  // namespace

absl::Status CheckCustomerFilter(CustomerDirectory& customers, const auth::Caller& caller,
                                 std::string_view filter, std::string_view field) {
  return Match(customers, caller, filter, /*limit=*/1, field).status();
}

absl::StatusOr<std::vector<std::string>> ResolveCustomerFilter(CustomerDirectory& customers,
                                                               const auth::Caller& caller,
                                                               std::string_view filter,
                                                               int limit, std::string_view field) {
  CRM_ASSIGN_OR_RETURN(CustomerDirectory::Matches matches,
                       Match(customers, caller, filter, limit, field));
  if (matches.more) {
    return Error(absl::StatusCode::kFailedPrecondition, "TOO_MANY_TARGETS",
                 absl::StrCat(std::string(field), " matches more than ", limit,
                              " customers; a campaign is for at most that many"));
  }
  return std::move(matches.names);
}

std::unique_ptr<CustomerDirectory> CustomersServiceDirectory(
    std::shared_ptr<grpc::ChannelInterface> channel, absl::Duration timeout) {
  return std::make_unique<GrpcCustomerDirectory>(std::move(channel), timeout);
}

}  // namespace crm::activities
