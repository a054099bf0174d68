#include "libs/service/catalog.h"

#include <string>

#include "libs/base/time.h"
#include "libs/grpc/status.h"

namespace crm::service {
namespace {

constexpr std::string_view kCatalog = "the product catalog";
constexpr std::string_view kUnavailable = "CATALOG_UNAVAILABLE";

}  // namespace

CatalogClient::CatalogClient(std::shared_ptr<grpc::ChannelInterface> knowledge)
    : stub_(knowledge::v1::CatalogService::NewStub(std::move(knowledge))) {}

absl::StatusOr<knowledge::v1::Product> CatalogClient::GetProduct(std::string_view name,
                                                                 grpc::ClientContext& context) {
  knowledge::v1::GetProductRequest request;
  request.set_name(std::string(name));
  knowledge::v1::Product product;
  CRM_RETURN_IF_ERROR(
      FromPeer(stub_->GetProduct(&context, request, &product), kCatalog, kUnavailable));
  return product;
}

absl::StatusOr<knowledge::v1::ProductPrice> CatalogClient::GetProductPrice(
    std::string_view product, std::string_view currency_code, absl::Time at,
    grpc::ClientContext& context) {
  knowledge::v1::GetProductPriceRequest request;
  request.set_product(std::string(product));
  request.set_currency_code(std::string(currency_code));
  *request.mutable_at_time() = ToTimestamp(at);
  knowledge::v1::ProductPrice price;
  CRM_RETURN_IF_ERROR(
      FromPeer(stub_->GetProductPrice(&context, request, &price), kCatalog, kUnavailable));
  return price;
}

}  // namespace crm::service
