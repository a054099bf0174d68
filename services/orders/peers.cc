#include "services/orders/peers.h"

#include "absl/strings/ascii.h"
#include "crm/customers/v1/customers.grpc.pb.h"
#include "crm/opportunities/v1/opportunities.grpc.pb.h"
#include "libs/api/money.h"
#include "libs/grpc/channel.h"
#include "libs/grpc/status.h"
#include "libs/service/catalog.h"
#include "libs/service/peers.h"

namespace crm::orders {
namespace {

constexpr absl::Duration kCallTimeout = absl::Seconds(3);

// Lookups only: a peer's NOT_FOUND is "not there for this caller", a transient failure is
// UNAVAILABLE with the peer's reason, and any other refusal is INTERNAL (FromPeer).
class CatalogOverGrpc final : public Catalog {
 public:
  CatalogOverGrpc(std::shared_ptr<grpc::Channel> channel,
                  std::shared_ptr<grpc::CallCredentials> credentials)
      : catalog_(std::move(channel)), credentials_(std::move(credentials)) {}

  absl::StatusOr<PricedProduct> Price(std::string_view product, std::string_view currency_code,
                                      absl::Time at, absl::Time deadline) override {
    CRM_ASSIGN_OR_RETURN(const knowledge::v1::Product found,
                         catalog_.GetProduct(product, *AsService(deadline)));
    CRM_ASSIGN_OR_RETURN(const knowledge::v1::ProductPrice price,
                         catalog_.GetProductPrice(product, currency_code, at, *AsService(deadline)));
    Violations ignored;
    api::FieldChecker check(ignored, "");
    std::optional<int64_t> minor = api::ToMinorUnits(price.price(), check, "price");
    if (!minor || price.price().currency_code() != currency_code) {
      return absl::InternalError("the catalog answered a price this service cannot read");
    }
    return PricedProduct{.display_name = found.display_name(),
                         .sku = found.sku(),
                         .unit = found.unit(),
                         .external_id = found.external_id(),
                         .price = price.name(),
                         .unit_price_minor = *minor};
  }

 private:
  // Prices are the company's, not the user's: orders asks as itself.
  std::unique_ptr<grpc::ClientContext> AsService(absl::Time deadline) const {
    return ClientCall(kCallTimeout, deadline, credentials_);
  }

  service::CatalogClient catalog_;
  std::shared_ptr<grpc::CallCredentials> credentials_;
};

class CustomersOverGrpc final : public Customers {
 public:
  explicit CustomersOverGrpc(std::shared_ptr<grpc::Channel> channel)
      : stub_(customers::v1::CustomerService::NewStub(std::move(channel))) {}

  absl::StatusOr<std::string> DisplayName(std::string_view customer,
                                          const auth::Caller& caller) override {
    customers::v1::GetCustomerRequest request;
    request.set_name(std::string(customer));
    customers::v1::Customer found;
    CRM_RETURN_IF_ERROR(
        FromPeer(stub_->GetCustomer(service::CallFor(caller, kCallTimeout).get(), request, &found),
                 "the customers service", "CUSTOMERS_UNAVAILABLE"));
    return found.display_name();
  }

 private:
  std::unique_ptr<customers::v1::CustomerService::Stub> stub_;
};

// GetOpportunity with the caller's token, so the opportunities service's record rules decide
// whether the caller may make an order from it (another team's rep gets NOT_FOUND there).
class OpportunitiesOverGrpc final : public Opportunities {
 public:
  explicit OpportunitiesOverGrpc(std::shared_ptr<grpc::Channel> channel)
      : stub_(opportunities::v1::OpportunityService::NewStub(std::move(channel))) {}

  absl::StatusOr<OpportunitySummary> Get(std::string_view opportunity,
                                         const auth::Caller& caller) override {
    opportunities::v1::GetOpportunityRequest request;
    request.set_name(std::string(opportunity));
    opportunities::v1::Opportunity found;
    CRM_RETURN_IF_ERROR(FromPeer(
        stub_->GetOpportunity(service::CallFor(caller, kCallTimeout).get(), request, &found),
        "the opportunities service", "OPPORTUNITIES_UNAVAILABLE"));
    OpportunitySummary summary{
        .won = found.state() == opportunities::v1::WON,
        .stage = absl::AsciiStrToLower(opportunities::v1::StageType_Name(found.state())),
        .customer = found.customer(),
        .owner = found.owner()};
    summary.products.assign(found.products().begin(), found.products().end());
    return summary;
  }

 private:
  std::unique_ptr<opportunities::v1::OpportunityService::Stub> stub_;
};

}  // namespace

std::unique_ptr<Catalog> CatalogClient(std::shared_ptr<grpc::Channel> knowledge,
                                       std::shared_ptr<grpc::CallCredentials> credentials) {
  return std::make_unique<CatalogOverGrpc>(std::move(knowledge), std::move(credentials));
}

std::unique_ptr<Customers> CustomersClient(std::shared_ptr<grpc::Channel> customers) {
  return std::make_unique<CustomersOverGrpc>(std::move(customers));
}

std::unique_ptr<Opportunities> OpportunitiesClient(std::shared_ptr<grpc::Channel> opportunities) {
  return std::make_unique<OpportunitiesOverGrpc>(std::move(opportunities));
}

}  // namespace crm::orders
