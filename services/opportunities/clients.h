// The two services the opportunities service asks on its callers' behalf, behind interfaces so
// that handler tests can answer for them: the customers service (does this customer exist for
// this user; create one for a lead) and the knowledge catalog (does this product). Every call
// forwards the caller's token, so the callee applies the caller's own rules, and carries the
// caller's deadline (service::CallFor); a peer's failure is mapped by FromPeer
// (libs/grpc/status.h).
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "crm/customers/v1/customers.pb.h"
#include "libs/auth/caller.h"

namespace crm::opportunities {

class CustomerDirectory {
 public:
  virtual ~CustomerDirectory() = default;
  // The customer `name` ("customers/{id}") as `caller` sees it: NOT_FOUND when it does not
  // exist or the caller may not read it; UNAVAILABLE (CUSTOMERS_UNAVAILABLE) when the service
  // cannot be asked.
  virtual absl::StatusOr<customers::v1::Customer> GetCustomer(const auth::Caller& caller,
                                                              std::string_view name) = 0;
  // CreateCustomer as `caller`: the customer, or the customers service's error as it gave it
  // (details included); UNAVAILABLE (CUSTOMERS_UNAVAILABLE) when the outcome is unknown.
  virtual absl::StatusOr<customers::v1::Customer> CreateCustomer(
      const auth::Caller& caller, const customers::v1::CreateCustomerRequest& request) = 0;
};

class ProductCatalog {
 public:
  virtual ~ProductCatalog() = default;
  // OK when `caller` may read product `name` ("products/{id}"); NOT_FOUND when not;
  // UNAVAILABLE (CATALOG_UNAVAILABLE) when the catalog cannot be asked; INTERNAL
  // (PEER_REFUSED) for any other refusal (libs/service/catalog.h).
  virtual absl::Status CheckProduct(const auth::Caller& caller, std::string_view name) = 0;
};

// What the customers service said about an opportunity's customer, kept for the win model.
struct CustomerFacts {
  std::string industry;
  int size_band = 0;
};

// The customer an opportunity names, checked for `caller`: its facts, INVALID_ARGUMENT on
// `field` when the caller may not read it, UNAVAILABLE when it cannot be asked.
absl::StatusOr<CustomerFacts> CheckCustomer(CustomerDirectory& customers,
                                            const auth::Caller& caller, std::string_view name,
                                            std::string_view field);
// Every product of interest checked for `caller`: INVALID_ARGUMENT on "<prefix>.products[i]"
// for each one the caller may not read; UNAVAILABLE when the catalog cannot be asked.
absl::Status CheckProducts(ProductCatalog& catalog, const auth::Caller& caller,
                           const google::protobuf::RepeatedPtrField<std::string>& products,
                           std::string_view prefix);

// The real ones, over `channel` (ServiceChannel), each call at most `timeout`.
std::unique_ptr<CustomerDirectory> CustomersServiceDirectory(
    std::shared_ptr<grpc::ChannelInterface> channel, absl::Duration timeout);
std::unique_ptr<ProductCatalog> KnowledgeCatalog(std::shared_ptr<grpc::ChannelInterface> channel,
                                                 absl::Duration timeout);

}  // namespace crm::opportunities
