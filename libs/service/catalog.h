// The knowledge catalog (crm.knowledge.v1.CatalogService) as the services that name its
// products ask it: orders prices its lines as itself, opportunities checks products of interest
// for the user. One client, so both read products and prices, and report the catalog's
// failures, the same way:
//
//   CatalogClient catalog(kit.peers.Channel("knowledge"));
//   absl::StatusOr<knowledge::v1::Product> product =
//       catalog.GetProduct("products/7", *CallFor(caller, absl::Seconds(3)));
//
// The context says as whom and until when (CallFor for a user, ClientCall with the service's
// credentials for the service itself); a context serves one call. Errors: NOT_FOUND as the
// catalog gave it (PRODUCT_NOT_FOUND, PRICE_NOT_FOUND); UNAVAILABLE (CATALOG_UNAVAILABLE) when
// it cannot be asked now; INTERNAL (PEER_REFUSED) otherwise (FromPeer in libs/grpc/status.h).
// Thread-safe.
#pragma once

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "crm/knowledge/v1/knowledge.grpc.pb.h"

namespace crm::service {

class CatalogClient final {
 public:
  explicit CatalogClient(std::shared_ptr<grpc::ChannelInterface> knowledge);

  // The product `name` ("products/{id}") as the context's identity may read it.
  absl::StatusOr<knowledge::v1::Product> GetProduct(std::string_view name,
                                                    grpc::ClientContext& context);
  // The price of `product` in `currency_code` that was valid at `at`.
  absl::StatusOr<knowledge::v1::ProductPrice> GetProductPrice(std::string_view product,
                                                              std::string_view currency_code,
                                                              absl::Time at,
                                                              grpc::ClientContext& context);

 private:
  std::unique_ptr<knowledge::v1::CatalogService::Stub> stub_;
};

}  // namespace crm::service
