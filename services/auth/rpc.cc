#include "services/auth/rpc.h"

namespace crm::auth_service {

absl::Status Allow(const auth::Policy& policy, const Caller& caller, std::string_view method) {
  if (policy.PublicAtService(method)) return absl::OkStatus();
  return policy.Check(caller.principal, method);
}

}  // namespace crm::auth_service
