#include "services/opportunities/clients.h"

#include "absl/strings/str_cat.h"
#include "crm/customers/v1/customers.grpc.pb.h"
#include "libs/grpc/status.h"
#include "libs/service/catalog.h"
#include "libs/service/peers.h"

namespace crm::opportunities {
namespace {

constexpr std::string_view kCustomers = "the customers service";

// The callee's own refusals are the caller's to fix (a duplicate customer when converting a
// lead, a customer they may not read): they are kept whole (PeerErrors::kAll).
class GrpcCustomerDirectory final : public CustomerDirectory {
 public:
  GrpcCustomerDirectory(std::shared_ptr<grpc::ChannelInterface> channel, absl::Duration timeout)
      : stub_(customers::v1::CustomerService::NewStub(std::move(channel))), timeout_(timeout) {}

  absl::StatusOr<customers::v1::Customer> GetCustomer(const auth::Caller& caller,
                                                      std::string_view name) override {
    customers::v1::GetCustomerRequest request;
    request.set_name(std::string(name));
    customers::v1::Customer customer;
    CRM_RETURN_IF_ERROR(
        FromPeer(stub_->GetCustomer(service::CallFor(caller, timeout_).get(), request, &customer),
                 kCustomers, "CUSTOMERS_UNAVAILABLE", PeerErrors::kAll));
    return customer;
  }

  absl::StatusOr<customers::v1::Customer> CreateCustomer(
      const auth::Caller& caller, const customers::v1::CreateCustomerRequest& request) override {
    customers::v1::Customer customer;
    CRM_RETURN_IF_ERROR(FromPeer(
        stub_->CreateCustomer(service::CallFor(caller, timeout_).get(), request, &customer),
        kCustomers, "CUSTOMERS_UNAVAILABLE", PeerErrors::kAll));
    return customer;
  }

 private:
  std::unique_ptr<customers::v1::CustomerService::Stub> stub_;
  const absl::Duration timeout_;
};

class GrpcProductCatalog final : public ProductCatalog {
 public:
  GrpcProductCatalog(std::shared_ptr<grpc::ChannelInterface> channel, absl::Duration timeout)
      : catalog_(std::move(channel)), timeout_(timeout) {}

  absl::Status CheckProduct(const auth::Caller& caller, std::string_view name) override {
    return catalog_.GetProduct(name, *service::CallFor(caller, timeout_)).status();
  }

 private:
  service::CatalogClient catalog_;
  const absl::Duration timeout_;
};

}  // namespace

absl::StatusOr<CustomerFacts> CheckCustomer(CustomerDirectory& customers,
                                            const auth::Caller& caller, std::string_view name,
                                            std::string_view field) {
  absl::StatusOr<customers::v1::Customer> customer = customers.GetCustomer(caller, name);
  if (absl::IsNotFound(customer.status())) {
    return InvalidField(field, "is not a customer you can see");
  }
  if (!customer.ok()) return customer.status();
  return CustomerFacts{.industry = customer->industry(),
                       .size_band = static_cast<int>(customer->size_band())};
}

absl::Status CheckProducts(ProductCatalog& catalog, const auth::Caller& caller,
                           const google::protobuf::RepeatedPtrField<std::string>& products,
                           std::string_view prefix) {
  Violations violations;
  for (int i = 0; i < products.size(); ++i) {
    absl::Status status = catalog.CheckProduct(caller, products[i]);
    if (absl::IsNotFound(status)) {
      violations.Add(absl::StrCat(std::string(prefix), ".products[", i, "]"), "is not a product you can see");
    } else if (!status.ok()) {
      return status;
    }
  }
  return violations.ToStatus("unknown products of interest");
}

std::unique_ptr<CustomerDirectory> CustomersServiceDirectory(
    std::shared_ptr<grpc::ChannelInterface> channel, absl::Duration timeout) {
  return std::make_unique<GrpcCustomerDirectory>(std::move(channel), timeout);
}

std::unique_ptr<ProductCatalog> KnowledgeCatalog(std::shared_ptr<grpc::ChannelInterface> channel,
                                                 absl::Duration timeout) {
  return std::make_unique<GrpcProductCatalog>(std::move(channel), timeout);
}

}  // namespace crm::opportunities
