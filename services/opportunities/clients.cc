#include "services/opportunities/clients.h"

#include "crm/customers/v1/customers.grpc.pb.h"
#include "absl/strings/str_cat.h"
#include "crm/knowledge/v1/knowledge.grpc.pb.h"
#include "libs/grpc/channel.h"
#include "libs/grpc/status.h"

namespace crm::opportunities {
namespace {

std::unique_ptr<grpc::ClientContext> CallFor(const auth::Caller& caller, absl::Duration timeout) {
  std::unique_ptr<grpc::ClientContext> ctx = ClientCall(timeout, caller.deadline);
  if (!caller.authorization.empty()) ctx->AddMetadata("authorization", caller.authorization);
  if (!caller.request_id.empty()) ctx->AddMetadata("x-request-id", caller.request_id);
  return ctx;
}

// A status from another service as this one answers it: the callee's own error when it gave
// one; `reason` (UNAVAILABLE) when it could not be reached or did not answer in time, so a
// client knows to retry.
absl::Status FromCallee(const grpc::Status& status, std::string_view reason,
                        std::string_view what) {
  absl::Status out = FromGrpcStatus(status);
  if (out.code() == absl::StatusCode::kUnavailable ||
      out.code() == absl::StatusCode::kDeadlineExceeded) {
    return Error(absl::StatusCode::kUnavailable, reason,
                 absl::StrCat(std::string(what), " could not be asked right now; try again"));
  }
  return out;
}

class GrpcCustomerDirectory final : public CustomerDirectory {
 public:
  GrpcCustomerDirectory(std::shared_ptr<grpc::ChannelInterface> channel, absl::Duration timeout)
      : stub_(customers::v1::CustomerService::NewStub(std::move(channel))), timeout_(timeout) {}

  absl::StatusOr<customers::v1::Customer> GetCustomer(const auth::Caller& caller,
                                                      std::string_view name) override {
    customers::v1::GetCustomerRequest request;
    request.set_name(std::string(name));
    customers::v1::Customer customer;
    auto ctx = CallFor(caller, timeout_);
    grpc::Status status = stub_->GetCustomer(ctx.get(), request, &customer);
    if (!status.ok()) return FromCallee(status, "CUSTOMERS_UNAVAILABLE", "the customers service");
    return customer;
  }

  absl::StatusOr<customers::v1::Customer> CreateCustomer(
      const auth::Caller& caller, const customers::v1::CreateCustomerRequest& request) override {
    customers::v1::Customer customer;
    auto ctx = CallFor(caller, timeout_);
    grpc::Status status = stub_->CreateCustomer(ctx.get(), request, &customer);
    if (!status.ok()) return FromCallee(status, "CUSTOMERS_UNAVAILABLE", "the customers service");
    return customer;
  }

 private:
  std::unique_ptr<customers::v1::CustomerService::Stub> stub_;
  const absl::Duration timeout_;
};

class GrpcProductCatalog final : public ProductCatalog {
 public:
  GrpcProductCatalog(std::shared_ptr<grpc::ChannelInterface> channel, absl::Duration timeout)
      : stub_(knowledge::v1::CatalogService::NewStub(std::move(channel))), timeout_(timeout) {}

  absl::Status CheckProduct(const auth::Caller& caller, std::string_view name) override {
    knowledge::v1::GetProductRequest request;
    request.set_name(std::string(name));
    knowledge::v1::Product product;
    auto ctx = CallFor(caller, timeout_);
    grpc::Status status = stub_->GetProduct(ctx.get(), request, &product);
    if (!status.ok()) return FromCallee(status, "CATALOG_UNAVAILABLE", "the product catalog");
    return absl::OkStatus();
  }

 private:
  std::unique_ptr<knowledge::v1::CatalogService::Stub> stub_;
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
