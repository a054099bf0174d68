#include "services/activities/clients.h"

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

std::unique_ptr<CustomerDirectory> CustomersServiceDirectory(
    std::shared_ptr<grpc::ChannelInterface> channel, absl::Duration timeout) {
  return std::make_unique<GrpcCustomerDirectory>(std::move(channel), timeout);
}

}  // namespace crm::activities
