// The services orders calls, behind interfaces so handler tests can use fakes:
//   Catalog        crm.knowledge.v1 GetProduct and GetProductPrice, as the orders service
//                  itself (services/orders): active products only, the price valid at a moment;
//   Customers      crm.customers.v1 GetCustomer, on behalf of the caller (their token), so an
//                  order can only name a customer its creator can see;
//   Opportunities  crm.opportunities.v1 GetOpportunity, on behalf of the caller.
// Errors come back in the orders service's terms: NOT_FOUND means "not there for this caller",
// UNAVAILABLE (CATALOG_UNAVAILABLE, CUSTOMERS_UNAVAILABLE, OPPORTUNITIES_UNAVAILABLE) means
// "could not ask now", any other refusal is INTERNAL (FromPeer in libs/grpc/status.h). The
// catalog is read through the suite's one client of it (libs/service/catalog.h).
#pragma once

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/auth/caller.h"

namespace crm::orders {

// A product and one of its prices, as a line keeps them.
struct PricedProduct {
  std::string display_name;
  std::string sku;
  std::string unit;
  std::string external_id;  // the inventory system's id of the product
  std::string price;        // "products/{id}/prices/{id}"
  int64_t unit_price_minor = 0;
};

class Catalog {
 public:
  virtual ~Catalog() = default;
  // `product` with its price in `currency_code` valid at `at`. NOT_FOUND (PRODUCT_NOT_FOUND)
  // for an unknown or inactive product, NOT_FOUND (PRICE_NOT_FOUND) when it had no such
  // price then. `deadline`: the incoming call's.
  virtual absl::StatusOr<PricedProduct> Price(std::string_view product,
                                              std::string_view currency_code, absl::Time at,
                                              absl::Time deadline) = 0;
};

class Customers {
 public:
  virtual ~Customers() = default;
  // The customer's display name if `caller` may see it; NOT_FOUND otherwise.
  virtual absl::StatusOr<std::string> DisplayName(std::string_view customer,
                                                  const auth::Caller& caller) = 0;
};

// What an order takes from an opportunity.
struct OpportunitySummary {
  bool won = false;
  std::string stage;  // its state for messages: "open", "won", "lost"
  std::string customer;
  std::string owner;
  std::vector<std::string> products;  // "products/{id}" of interest
};

class Opportunities {
 public:
  virtual ~Opportunities() = default;
  // The opportunity if `caller` may see it; NOT_FOUND otherwise.
  virtual absl::StatusOr<OpportunitySummary> Get(std::string_view opportunity,
                                                 const auth::Caller& caller) = 0;
};

// Over gRPC. `credentials` are the orders service's own (kit.service_credentials).
std::unique_ptr<Catalog> CatalogClient(std::shared_ptr<grpc::Channel> knowledge,
                                       std::shared_ptr<grpc::CallCredentials> credentials);
std::unique_ptr<Customers> CustomersClient(std::shared_ptr<grpc::Channel> customers);
std::unique_ptr<Opportunities> OpportunitiesClient(std::shared_ptr<grpc::Channel> opportunities);

}  // namespace crm::orders
