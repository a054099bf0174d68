#include "services/orders/peers.h"

#include "absl/strings/str_cat.h"
#include "crm/customers/v1/customers.grpc.pb.h"
#include "crm/knowledge/v1/knowledge.grpc.pb.h"
#include "libs/api/money.h"
#include "libs/base/time.h"
#include "libs/grpc/channel.h"
#include "libs/grpc/status.h"

namespace crm::orders {
namespace {

constexpr absl::Duration kCallTimeout = absl::Seconds(3);

bool Transient(const absl::Status& status) {
  return status.code() == absl::StatusCode::kUnavailable ||
         status.code() == absl::StatusCode::kDeadlineExceeded ||
         status.code() == absl::StatusCode::kResourceExhausted;
}

// A peer's answer in our terms: its NOT_FOUND stays (with its reason), a transient failure is
// UNAVAILABLE with `unavailable_reason`, anything else is INTERNAL (we asked wrongly, or we
// are not allowed: a deployment mistake the caller cannot fix).
absl::Status FromPeer(const grpc::Status& status, std::string_view unavailable_reason,
                      std::string_view what) {
  absl::Status st = FromGrpcStatus(status);
  if (st.ok() || st.code() == absl::StatusCode::kNotFound) return st;
  if (Transient(st)) {
    return Error(absl::StatusCode::kUnavailable, unavailable_reason,
                 absl::StrCat(std::string(what), " cannot be reached right now; try again"));
  }
  return Error(absl::StatusCode::kInternal, "PEER_REFUSED",
               absl::StrCat(std::string(what), " refused the call: ", st.message()));
}

std::unique_ptr<grpc::ClientContext> Context(absl::Time deadline,
                                             std::shared_ptr<grpc::CallCredentials> credentials,
                                             std::string_view authorization = "") {
  auto ctx = ClientCall(kCallTimeout, deadline, std::move(credentials));
  if (!authorization.empty()) ctx->AddMetadata("authorization", std::string(authorization));
  return ctx;
}

class CatalogOverGrpc final : public Catalog {
 public:
  CatalogOverGrpc(std::shared_ptr<grpc::Channel> channel,
                  std::shared_ptr<grpc::CallCredentials> credentials)
      : stub_(knowledge::v1::CatalogService::NewStub(std::move(channel))),
        credentials_(std::move(credentials)) {}

  absl::StatusOr<PricedProduct> Price(std::string_view product, std::string_view currency_code,
                                      absl::Time at, absl::Time deadline) override {
    knowledge::v1::GetProductRequest get;
    get.set_name(std::string(product));
    knowledge::v1::Product found;
    CRM_RETURN_IF_ERROR(FromPeer(stub_->GetProduct(Context(deadline, credentials_).get(), get,
                                                   &found),
                                 "CATALOG_UNAVAILABLE", "the product catalog"));
    knowledge::v1::GetProductPriceRequest ask;
    ask.set_product(std::string(product));
    ask.set_currency_code(std::string(currency_code));
    *ask.mutable_at_time() = ToTimestamp(at);
    knowledge::v1::ProductPrice price;
    CRM_RETURN_IF_ERROR(FromPeer(stub_->GetProductPrice(Context(deadline, credentials_).get(),
                                                        ask, &price),
                                 "CATALOG_UNAVAILABLE", "the product catalog"));
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
  std::unique_ptr<knowledge::v1::CatalogService::Stub> stub_;
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
        FromPeer(stub_->GetCustomer(Context(caller.deadline, nullptr, caller.authorization).get(),
                                    request, &found),
                 "CUSTOMERS_UNAVAILABLE", "the customers service"));
    return found.display_name();
  }

 private:
  std::unique_ptr<customers::v1::CustomerService::Stub> stub_;
};

class NoOpportunitiesService final : public Opportunities {
 public:
  absl::StatusOr<OpportunitySummary> Get(std::string_view, const auth::Caller&) override {
    return Error(absl::StatusCode::kUnavailable, "OPPORTUNITIES_UNAVAILABLE",
                 "orders from opportunities need the opportunities service, which is not "
                 "deployed");
  }
};

}  // namespace

std::unique_ptr<Catalog> CatalogClient(std::shared_ptr<grpc::Channel> knowledge,
                                       std::shared_ptr<grpc::CallCredentials> credentials) {
  return std::make_unique<CatalogOverGrpc>(std::move(knowledge), std::move(credentials));
}

std::unique_ptr<Customers> CustomersClient(std::shared_ptr<grpc::Channel> customers) {
  return std::make_unique<CustomersOverGrpc>(std::move(customers));
}

std::unique_ptr<Opportunities> NoOpportunities() {
  return std::make_unique<NoOpportunitiesService>();
}

}  // namespace crm::orders
