#include "libs/service/rpc.h"

#include <malloc.h>

#include "absl/time/clock.h"
#include "libs/grpc/peer.h"
#include "libs/grpc/status.h"

namespace crm::service {

absl::StatusOr<auth::Caller> Rpc::Authorize(const grpc::CallbackServerContext& ctx,
                                            std::string_view method) const {
  CRM_ASSIGN_OR_RETURN(auth::Principal principal, authorizer_.Authorize(ctx, method));
  auth::Caller caller{.principal = std::move(principal)};
  const auto& metadata = ctx.client_metadata();
  if (auto it = metadata.find("authorization"); it != metadata.end()) {
    caller.authorization.assign(it->second.data(), it->second.size());
  }
  std::string_view forwarded;
  if (auto it = metadata.find("x-forwarded-for"); it != metadata.end()) {
    forwarded = std::string_view(it->second.data(), it->second.size());
  }
  caller.peer = ClientAddress(ctx.peer(), forwarded, trusted_proxies_);
  caller.request_id = RequestIdOf(ctx);
  caller.deadline = absl::FromChrono(ctx.deadline());
  return caller;
}

namespace internal {

void ReturnFreedMemory() { malloc_trim(0); }

}  // namespace internal

}  // namespace crm::service
